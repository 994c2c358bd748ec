/**
 * A clock that runs `scale` times faster than real time, so the simulated cluster's migrations
 * of minutes finish in seconds in the demo. Time starts at the real time of creation.
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';

export function scaledClock(scale: number, base: Clock = systemClock): Clock {
  if (!(scale > 0)) throw new RangeError(`Expected \`scale\` to be a positive number, got \`${scale}\``);
  const origin = base.now();
  return {
    now: () => origin + (base.now() - origin) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
  };
}
