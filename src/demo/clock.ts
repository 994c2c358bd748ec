/**
 * A clock that runs `scale` times faster than real time, so the simulated cluster's migrations
 * of minutes finish in seconds in the demo. Time starts at the real time of creation, or runs
 * from an `anchor` kept from an earlier run (so it never goes back after a restart).
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';

/** One point of a scaled clock: at real time `realMs` it showed `clockMs`. */
export interface ClockAnchor {
  realMs: number;
  clockMs: number;
}

export function scaledClock(scale: number, base: Clock = systemClock, anchor?: ClockAnchor): Clock {
  if (!(scale > 0)) throw new RangeError(`Expected \`scale\` to be a positive number, got \`${scale}\``);
  const { realMs, clockMs } = anchor ?? { realMs: base.now(), clockMs: base.now() };
  return {
    now: () => clockMs + (base.now() - realMs) * scale,
    sleep: (ms, signal) => base.sleep(ms / scale, signal),
  };
}
