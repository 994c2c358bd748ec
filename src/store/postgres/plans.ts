/** Plans, moves, move history, progress and events of the PostgreSQL store (guarantees: ./store.ts). */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  TERMINAL_MOVE_STATES,
  type ExecutorStore,
  type MovePatch,
  type MoveState,
  type NewPlan,
  type PlanFilter,
  type PlanRecord,
  type PlanStatus,
  type ProgressSample,
} from '../../../executor/store.js';
import { StoreNotFoundError } from '../errors.js';
import {
  eventFromRow,
  json,
  moveAssignments,
  moveFromRow,
  planFromRow,
  progressFromRow,
  type EventRow,
  type MoveRow,
  type PlanRow,
  type ProgressRow,
} from '../rows.js';
import { transaction, xactLock } from './pool.js';

/** Inserts the plan, its `pending` moves and their first history rows on `c` (inside the caller's transaction). */
export async function insertPlan(c: pg.ClientBase, input: NewPlan): Promise<PlanRecord> {
  const id = input.id ?? randomUUID();
  await c.query(
    `INSERT INTO plans (id, goal, plan_json, status, source, created_at, updated_at, supersedes, request_json)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)`,
    [
      id,
      input.plan.goal,
      JSON.stringify(input.plan),
      input.status ?? 'planned',
      input.source,
      input.at,
      input.supersedes ?? null,
      json(input.request),
    ],
  );
  const moves = input.plan.moves.map((m) => JSON.stringify(m));
  if (moves.length) {
    await c.query(
      `INSERT INTO moves (plan_id, idx, move_json, state)
       SELECT $1, t.i - 1, t.m, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS t(m, i)`,
      [id, moves],
    );
    await c.query(
      `INSERT INTO move_history (plan_id, idx, state, at)
       SELECT $1, g, 'pending', $2 FROM generate_series(0, $3::int - 1) AS g ORDER BY g`,
      [id, input.at, moves.length],
    );
  }
  const { rows } = await c.query<PlanRow>('SELECT * FROM plans WHERE id = $1', [id]);
  return planFromRow(rows[0]);
}

const notFound = (id: string) => new StoreNotFoundError(`no plan with id "${id}"`);

export function planMethods(pool: pg.Pool) {
  return {
    createPlan: (input: NewPlan) => transaction(pool, (c) => insertPlan(c, input)),
    getPlan: async (id: string) => {
      const { rows } = await pool.query<PlanRow>('SELECT * FROM plans WHERE id = $1', [id]);
      return rows[0] ? planFromRow(rows[0]) : null;
    },
    getPlanVersion: async (id: string) => {
      const { rows } = await pool.query<{ status: string; updated_at: number }>(
        'SELECT status, updated_at FROM plans WHERE id = $1',
        [id],
      );
      return rows[0] ? { status: rows[0].status as PlanStatus, updatedAt: rows[0].updated_at } : null;
    },
    listPlans: async (filter: PlanFilter = {}) => {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${args.length}`;
      };
      if (filter.status?.length) where.push(`status = ANY(${arg(filter.status)}::text[])`);
      if (filter.source) where.push(`source = ${arg(filter.source)}`);
      // the listing order, as a row value: (created_at, seq) of the cursor plan
      if (filter.after !== undefined)
        where.push(`(created_at, seq) < (SELECT created_at, seq FROM plans WHERE id = ${arg(filter.after)})`);
      const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const limit = arg(filter.limit ?? 100);
      const sql = `SELECT * FROM plans ${whereSql} ORDER BY created_at DESC, seq DESC LIMIT ${limit}`;
      const { rows } = await pool.query<PlanRow>(sql, args);
      return rows.map(planFromRow);
    },
    setPlanStatus: async (
      id: string,
      status: PlanStatus,
      at: number,
      extra: { summary?: unknown; error?: PlanRecord['error'] } = {},
    ) => {
      const r = await pool.query(
        `UPDATE plans SET status = $2, updated_at = $3, summary_json = COALESCE($4, summary_json),
           error_json = CASE WHEN $5 THEN $6 ELSE error_json END
         WHERE id = $1`,
        [id, status, at, json(extra.summary), 'error' in extra, json(extra.error)],
      );
      if (r.rowCount === 0) throw notFound(id);
    },
    // the row lock serialises racing changers: each reads the status the one before committed
    changePlanStatus: (id: string, from: readonly PlanStatus[], status: PlanStatus, at: number) =>
      transaction(pool, async (c) => {
        const { rows } = await c.query<{ status: PlanStatus }>('SELECT status FROM plans WHERE id = $1 FOR UPDATE', [
          id,
        ]);
        const was = rows[0]?.status ?? null;
        if (was && from.includes(was))
          await c.query('UPDATE plans SET status = $2, updated_at = $3 WHERE id = $1', [id, status, at]);
        return was;
      }),
    supersede: (oldId: string, newId: string, at: number) =>
      transaction(pool, async (c) => {
        // claims lock first (createPlanClaiming takes it before reading holders' statuses), then both rows
        await xactLock(c, 'claims');
        const { rows } = await c.query<{ id: string }>(
          'SELECT id FROM plans WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
          [[oldId, newId]],
        );
        for (const id of [oldId, newId]) if (!rows.some((r) => r.id === id)) throw notFound(id);
        await c.query(`UPDATE plans SET status = 'superseded', superseded_by = $1, updated_at = $2 WHERE id = $3`, [
          newId,
          at,
          oldId,
        ]);
        await c.query('UPDATE plans SET supersedes = $1, updated_at = $2 WHERE id = $3', [oldId, at, newId]);
        await c.query('UPDATE maintenance SET plan_id = $1 WHERE plan_id = $2 AND released_at IS NULL', [newId, oldId]);
      }),
  } satisfies Partial<ExecutorStore>;
}

export function moveMethods(pool: pg.Pool) {
  return {
    listMoves: async (planId: string) => {
      const { rows } = await pool.query<MoveRow>('SELECT * FROM moves WHERE plan_id = $1 ORDER BY idx', [planId]);
      return rows.map(moveFromRow);
    },
    getMove: async (planId: string, index: number) => {
      const { rows } = await pool.query<MoveRow>('SELECT * FROM moves WHERE plan_id = $1 AND idx = $2', [
        planId,
        index,
      ]);
      return rows[0] ? moveFromRow(rows[0]) : null;
    },
    updateMove: async (planId: string, index: number, patch: MovePatch, at: number) => {
      const sets = moveAssignments(patch);
      if (!sets.length) return;
      const assignments = sets.map(([column], i) => `${column} = $${i + 3}`).join(', ');
      await transaction(pool, async (c) => {
        // a terminal state is an ending: its history id must commit in id order (listMoveEndings)
        if (patch.state && TERMINAL_MOVE_STATES.includes(patch.state)) await xactLock(c, 'endings');
        const r = await c.query(`UPDATE moves SET ${assignments} WHERE plan_id = $1 AND idx = $2`, [
          planId,
          index,
          ...sets.map(([, value]) => value),
        ]);
        if (r.rowCount === 0) throw new StoreNotFoundError(`no move ${index} in plan "${planId}"`);
        if (patch.state)
          await c.query('INSERT INTO move_history (plan_id, idx, state, at) VALUES ($1, $2, $3, $4)', [
            planId,
            index,
            patch.state,
            at,
          ]);
      });
    },
    moveHistory: async (planId: string, index: number) => {
      const { rows } = await pool.query<{ state: string; at: number }>(
        'SELECT state, at FROM move_history WHERE plan_id = $1 AND idx = $2 ORDER BY id',
        [planId, index],
      );
      return rows.map((r) => ({ state: r.state as MoveState, at: r.at }));
    },
    addProgress: (s: ProgressSample) =>
      transaction(pool, async (c) => {
        await c.query(
          `INSERT INTO progress (plan_id, idx, at, processed, remaining, total, dirty_rate, eta_seconds)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [s.planId, s.index, s.at, s.processedBytes, s.remainingBytes, s.totalBytes, s.dirtyRateBps, s.etaSeconds],
        );
        await c.query('UPDATE moves SET progress_json = $1 WHERE plan_id = $2 AND idx = $3', [
          JSON.stringify(s),
          s.planId,
          s.index,
        ]);
      }),
    listProgress: async (planId: string, index?: number) => {
      const { rows } =
        index === undefined
          ? await pool.query<ProgressRow>('SELECT * FROM progress WHERE plan_id = $1 ORDER BY id', [planId])
          : await pool.query<ProgressRow>('SELECT * FROM progress WHERE plan_id = $1 AND idx = $2 ORDER BY id', [
              planId,
              index,
            ]);
      return rows.map(progressFromRow);
    },
    appendEvent: (e: Parameters<ExecutorStore['appendEvent']>[0]) =>
      transaction(pool, async (c) => {
        // ids commit in id order: a reader paging after an id never skips one committed later
        await xactLock(c, 'events');
        const { rows } = await c.query<{ id: number }>(
          'INSERT INTO events (plan_id, move_idx, type, data_json, at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [e.planId, e.moveIndex, e.type, json(e.data), e.at],
        );
        return rows[0].id;
      }),
    listEvents: async (filter: { planId?: string; afterId?: number; limit?: number } = {}) => {
      const args: unknown[] = [filter.afterId ?? 0, filter.limit ?? null];
      if (filter.planId) args.push(filter.planId);
      const sql = `SELECT * FROM events WHERE id > $1 ${filter.planId ? 'AND plan_id = $3' : ''} ORDER BY id LIMIT $2`;
      const { rows } = await pool.query<EventRow>(sql, args);
      return rows.map(eventFromRow);
    },
  } satisfies Partial<ExecutorStore>;
}
