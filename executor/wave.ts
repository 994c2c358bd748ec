/**
 * Runs the pending moves of one wave under the concurrency limits. Moves start in plan order;
 * one that does not fit the limits now is passed over for a later one that does (no head-of-line
 * blocking). Admission and release are recorded as events, so the limits can be audited from the
 * persisted log alone.
 */
import type { Admission } from './admission.js';
import type { Ctx } from './context.js';
import { runMove, type MoveRun } from './migrate-one.js';
import type { MoveRecord, MoveState } from './store.js';

const BAD: readonly MoveState[] = ['failed', 'skipped', 'timed_out'];

export interface WaveControl {
  /** True when no further move of this wave should start. */
  stopStarting(): boolean;
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
    if (!control.stopStarting()) {
      for (const m of [...queue]) {
        const { from, to } = m.move;
        if (!admission.canStart(from, to)) continue;
        queue.splice(queue.indexOf(m), 1);
        admission.acquire(from, to);
        ctx.store.appendEvent({
          planId: m.planId,
          moveIndex: m.index,
          type: 'move.admitted',
          data: { from, to },
          at: ctx.clock.now(),
        });
        const task = runMove(ctx, run, m.index)
          .then((state) => {
            if (BAD.includes(state)) control.onTrouble();
          })
          .finally(() => {
            admission.release(from, to);
            running.delete(task);
            if (!ctx.life.aborted)
              ctx.store.appendEvent({
                planId: m.planId,
                moveIndex: m.index,
                type: 'move.released',
                data: { from, to },
                at: ctx.clock.now(),
              });
          });
        task.catch(() => undefined); // observed through the race below; never left unhandled
        running.add(task);
      }
    }
    if (!running.size) return;
    await Promise.race(running);
  }
}
