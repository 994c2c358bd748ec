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
  /** Prints what changed since the last tick (also called on an interval). */
  tick(): void;
  /** Final tick, clears the progress line and stops the interval. */
  stop(): void;
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
  const tick = () => {
    const lines: string[] = [];
    let moves: MoveRecord[] = [];
    for (const id of planChain(store, planId)) {
      moves = store.listMoves(id);
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
  const timer = setInterval(tick, options.intervalMs ?? 500);
  return {
    tick,
    stop() {
      clearInterval(timer);
      tick();
      if (io.stderrIsTty) io.stderr('\r\x1b[2K');
    },
  };
}
