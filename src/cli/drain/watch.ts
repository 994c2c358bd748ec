/**
 * Terminal progress for a running plan, read from the store (so it shows exactly what is
 * durable): one line per move state change, and on a terminal a refreshing line with the
 * progress of the migrations in flight. Follows re-plans through `supersededBy`.
 */
import { planChain } from '../../../executor/chain.js';
import { IN_FLIGHT_MOVE_STATES, type MoveRecord } from '../../../executor/store.js';
import type { ServiceStore } from '../../store/port.js';
import type { CommandIo } from '../io.js';

export interface WatchOptions {
  /** Poll interval. @default 500 */
  intervalMs?: number;
}

export interface Watcher {
  /** Prints what changed since the last tick (also called on an interval; one tick runs at a time). */
  tick(): Promise<void>;
  /** Stops the interval, then a final tick, and clears the progress line. */
  stop(): Promise<void>;
}

function moveLine(planId: string, m: MoveRecord): string {
  const err = m.error ? ` (${m.error.code}: ${m.error.message})` : '';
  return (
    `plan ${planId.slice(0, 8)} move ${m.index} ${m.move.name} ${m.move.from} -> ${m.move.to} [${m.move.mode}]: ` +
    `${m.state}${err}`
  );
}

function progressLine(moves: MoveRecord[]): string {
  const active = moves.filter((m) => IN_FLIGHT_MOVE_STATES.includes(m.state));
  const done = moves.filter((m) => m.state === 'succeeded').length;
  const parts = active.map((m) => {
    const p = m.lastProgress;
    const pct = p && p.totalBytes > 0 ? Math.min(100, Math.round((100 * p.processedBytes) / p.totalBytes)) : null;
    const eta = p?.etaSeconds != null ? ` eta ${Math.round(p.etaSeconds)}s` : '';
    return `${m.move.name} ${pct === null ? m.state : `${pct}%`}${eta}`;
  });
  return `${done}/${moves.length} done${parts.length ? ` | ${parts.join(', ')}` : ''}`;
}

export function watchPlan(store: ServiceStore, planId: string, io: CommandIo, options: WatchOptions = {}): Watcher {
  const seen = new Map<string, string>();
  let shownProgress = false;
  const read = async () => {
    const lines: string[] = [];
    let moves: MoveRecord[] = [];
    for (const id of await planChain(store, planId)) {
      moves = await store.listMoves(id);
      for (const m of moves) {
        const key = `${id}:${m.index}`;
        if (seen.get(key) !== m.state) lines.push(moveLine(id, m));
        seen.set(key, m.state);
      }
    }
    if (io.stderrIsTty && (lines.length || shownProgress)) io.stderr('\r\x1b[2K');
    if (lines.length) io.stderr(`${lines.join('\n')}\n`);
    if (io.stderrIsTty) {
      io.stderr(progressLine(moves));
      shownProgress = true;
    }
  };
  let ticking: Promise<void> | null = null;
  const tick = () =>
    (ticking ??= read().finally(() => {
      ticking = null;
    }));
  // a failed read shows nothing new; the next tick reads again
  const timer = setInterval(() => tick().catch(() => undefined), options.intervalMs ?? 500);
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await ticking?.catch(() => undefined);
      await tick();
      if (io.stderrIsTty) io.stderr('\r\x1b[2K');
    },
  };
}
