/**
 * The executor with the nightly window: at the window's end the plan is cancelled in `wait`
 * mode, which the executor defines as "no new move starts, moves in flight finish". No hook
 * inside the executor is needed; the plan then ends `cancelled` with the unstarted moves
 * `cancelled`, and the nightly record says so.
 */
import type { Clock } from '../../executor/clock.js';
import type { CancelMode } from '../../executor/options.js';
import type { NightlyDeps } from './types.js';

export function executeWithinWindow(
  executor: { execute(planId: string): Promise<unknown>; cancel(planId: string, mode: CancelMode): unknown },
  clock: Pick<Clock, 'now' | 'sleep'>,
): NightlyDeps['executePlan'] {
  return async (planId, { deadline }) => {
    const done = new AbortController();
    const windowEnd = clock.sleep(Math.max(0, deadline - clock.now()), done.signal).then(
      () => void executor.cancel(planId, 'wait'),
      () => undefined, // the plan finished first
    );
    try {
      return await executor.execute(planId);
    } finally {
      done.abort();
      await windowEnd;
    }
  };
}
