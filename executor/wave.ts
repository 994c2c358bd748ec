/**
 * Runs the pending moves of one wave under the concurrency limits. Moves start in plan order;
 * one that does not fit the limits now is passed over for a later one that does (no head-of-line
 * blocking). Admission and release are recorded as events, so the limits can be audited from the
 * persisted log alone.
 */
import type { Admission } from './admission.js';
import type { Ctx } from './context.js';
import { recordEvent } from './context.js';
import { runMove, type MoveRun } from './migrate-one.js';
import type { MoveRecord, MoveState } from './store.js';

const BAD: readonly MoveState[] = ['failed', 'skipped', 'timed_out'];

export interface WaveControl {
  /** True when no further move of this wave should start. */
  stopStarting(): Promise<boolean>;
  /** Called when a move ended failed, skipped or timed out. */
  onTrouble(): void;
}

export async function runWave(
  ctx: Ctx,
  admission: Admission,
  run: MoveRun,
  moves: MoveRecord[],
  control: WaveControl,
): Promise<void> {
  const queue = moves.filter((m) => m.state === 'pending');
  const running = new Set<Promise<void>>();
  for (;;) {
    if (!(await control.stopStarting())) {
      for (const m of [...queue]) {
        const { from, to } = m.move;
        if (!admission.canStart(from, to)) continue;
        queue.splice(queue.indexOf(m), 1);
        admission.acquire(from, to);
        await recordEvent(ctx, m.planId, m.index, 'move.admitted', { from, to });
        const task: Promise<void> = (async () => {
          try {
            if (BAD.includes(await runMove(ctx, run, m.index))) control.onTrouble();
          } finally {
            // the release is on record before another move can take the slot
            try {
              if (!ctx.life.aborted) await recordEvent(ctx, m.planId, m.index, 'move.released', { from, to });
            } finally {
              admission.release(from, to);
            }
          }
        })();
        // observed through the race below (registered later, so the set no longer holds it then)
        task.then(
          () => running.delete(task),
          () => running.delete(task),
        );
        running.add(task);
      }
    }
    if (!running.size) return;
    await Promise.race(running);
  }
}
