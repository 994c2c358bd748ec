/**
 * Aggregates for metrics, read without walking every stored plan: plan counts come from the
 * `plan_totals` table that triggers keep (migration 2), move endings from the history after a
 * cursor, in-flight counts through the `moves_state` index. And the readiness write probe.
 */
import type Database from 'better-sqlite3';
import {
  PLAN_STATUSES,
  TERMINAL_MOVE_STATES,
  type ExecutorStore,
  type MoveEnding,
  type MoveState,
  type PlanStatus,
} from '../../executor/store.js';
import { moveFromRow, type MoveRow } from './rows.js';
import { prepared } from './statements.js';
import type { Synchronous } from './sync.js';

const TERMINAL = TERMINAL_MOVE_STATES.map((s) => `'${s}'`).join(',');

// the first terminal history row of each move: a state written twice is still one ending
const ENDINGS_SQL = `SELECT h.rowid AS ending_id, h.state AS ending_state, m.*
  FROM move_history h JOIN moves m ON m.plan_id = h.plan_id AND m.idx = h.idx
  WHERE h.rowid > ? AND h.state IN (${TERMINAL})
    AND NOT EXISTS (SELECT 1 FROM move_history p WHERE p.plan_id = h.plan_id AND p.idx = h.idx
      AND p.rowid < h.rowid AND p.state IN (${TERMINAL}))
  ORDER BY h.rowid LIMIT ?`;

export function totalsMethods(db: Database.Database) {
  const totals = prepared<[], { key: string; n: number }>(db, 'SELECT key, n FROM plan_totals');
  const heartbeat = prepared<[number]>(
    db,
    'INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at',
  );
  const endings = prepared<[number, number], MoveRow & { ending_id: number; ending_state: string }>(db, ENDINGS_SQL);
  return {
    planTotals: () => {
      const byStatus = Object.fromEntries(PLAN_STATUSES.map((s) => [s, 0])) as Record<PlanStatus, number>;
      let replans = 0;
      for (const { key, n } of totals.all()) {
        if (key === 'replans') replans = n;
        else if (key.startsWith('status:')) byStatus[key.slice('status:'.length) as PlanStatus] = n;
      }
      return { byStatus, replans };
    },
    listMoveEndings: (afterId: number, limit: number): MoveEnding[] =>
      endings.all(afterId, limit).map((r) => ({
        id: r.ending_id,
        state: r.ending_state as MoveState,
        record: moveFromRow(r),
      })),
    probeWrite: (at: number) => {
      heartbeat.run(at);
    },
    countMoves: (states: readonly MoveState[]) => {
      if (!states.length) return 0;
      const sql = `SELECT count(*) AS n FROM moves WHERE state IN (${states.map(() => '?').join(',')})`;
      return prepared<string[], { n: number }>(db, sql).get(...states)!.n;
    },
  } satisfies Partial<Synchronous<ExecutorStore>>;
}
