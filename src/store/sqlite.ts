/**
 * The SQLite implementation of the service's store port (src/store/port.ts), with better-sqlite3.
 * WAL journal; every write is a committed transaction before the call returns (flushed to disk
 * with the default durability), so state survives a crash of the process at any point.
 * `openStore(':memory:')` gives a throwaway store for tests.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type {
  ExecutorStore,
  MovePatch,
  MoveState,
  NewPlan,
  PlanFilter,
  PlanRecord,
  PlanStatus,
} from '../../executor/store.js';
import { StoreNotFoundError } from './errors.js';
import { migrate } from './migrations.js';
import type { ServiceStore } from './port.js';
import { prepared } from './statements.js';
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
} from './rows.js';
import { drainClaimMethods, maintenanceMethods, nightlyMethods } from './sqlite-extra.js';
import { trackWriteFaults } from './faults.js';
import { totalsMethods } from './sqlite-totals.js';
import { campaignMethods } from './sqlite-campaigns.js';
import { asynchronous, type Synchronous } from './sync.js';

export { StoreNotFoundError };

export interface StoreOptions {
  /**
   * `full`: every commit is flushed to the disk before the call returns, so it survives a power
   * loss too. `normal`: commits survive a crash of this process (the WAL is written before the
   * call returns) but the last ones may be lost with the machine; much faster on slow disks.
   * @default 'full'
   */
  durability?: 'full' | 'normal';
}

/** Opens (creating and migrating when needed) the store at `path`. */
export function openStore(path: string, options: StoreOptions = {}): ServiceStore {
  const db = new Database(path);
  // first, so that switching to WAL and migrating wait for another process opening the same file
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  const plans = planMethods(db);
  return trackWriteFaults(
    asynchronous<Omit<ServiceStore, 'lastWriteFault'>>({
      ...plans,
      ...moveMethods(db),
      ...maintenanceMethods(db),
      ...drainClaimMethods(db, plans.createPlan),
      ...nightlyMethods(db),
      ...totalsMethods(db),
      ...campaignMethods(db),
      close: () => {
        db.close();
      },
    }),
  );
}

function planMethods(db: Database.Database) {
  const getPlanRow = prepared<[string], PlanRow>(db, 'SELECT * FROM plans WHERE id = ?');
  const getVersion = prepared<[string], { status: string; updated_at: number }>(
    db,
    'SELECT status, updated_at FROM plans WHERE id = ?',
  );
  const insertPlan = prepared(
    db,
    `INSERT INTO plans
      (id, goal, plan_json, status, source, created_at, updated_at, supersedes, request_json)
    VALUES (@id, @goal, @plan_json, @status, @source, @at, @at, @supersedes, @request_json)`,
  );
  const insertMove = prepared(db, `INSERT INTO moves (plan_id, idx, move_json, state) VALUES (?, ?, ?, 'pending')`);
  const insertHistory = prepared(db, 'INSERT INTO move_history (plan_id, idx, state, at) VALUES (?, ?, ?, ?)');
  const must = (id: string): PlanRecord => {
    const row = getPlanRow.get(id);
    if (!row) throw new StoreNotFoundError(`no plan with id "${id}"`);
    return planFromRow(row);
  };
  const createPlan = db.transaction((input: NewPlan): PlanRecord => {
    const id = input.id ?? randomUUID();
    insertPlan.run({
      id,
      goal: input.plan.goal,
      plan_json: JSON.stringify(input.plan),
      status: input.status ?? 'planned',
      source: input.source,
      at: input.at,
      supersedes: input.supersedes ?? null,
      request_json: json(input.request),
    });
    input.plan.moves.forEach((m, k) => {
      insertMove.run(id, k, JSON.stringify(m));
      insertHistory.run(id, k, 'pending', input.at);
    });
    return must(id);
  });
  const setStatus = prepared(
    db,
    `UPDATE plans SET status = @status, updated_at = @at,
    summary_json = COALESCE(@summary, summary_json),
    error_json = CASE WHEN @setError THEN @error ELSE error_json END WHERE id = @id`,
  );
  const changeStatus = prepared(db, 'UPDATE plans SET status = ?, updated_at = ? WHERE id = ?');
  const changeIf = db.transaction((id: string, from: readonly PlanStatus[], status: PlanStatus, at: number) => {
    const was = (getVersion.get(id)?.status ?? null) as PlanStatus | null;
    if (was && from.includes(was)) changeStatus.run(status, at, id);
    return was;
  });
  const link = prepared(db, `UPDATE plans SET status = 'superseded', superseded_by = ?, updated_at = ? WHERE id = ?`);
  const linkBack = prepared(db, 'UPDATE plans SET supersedes = ?, updated_at = ? WHERE id = ?');
  const handOver = prepared(db, 'UPDATE maintenance SET plan_id = ? WHERE plan_id = ? AND released_at IS NULL');
  return {
    createPlan,
    getPlan: (id: string) => {
      const row = getPlanRow.get(id);
      return row ? planFromRow(row) : null;
    },
    getPlanVersion: (id: string) => {
      const row = getVersion.get(id);
      return row ? { status: row.status as PlanStatus, updatedAt: row.updated_at } : null;
    },
    listPlans: (filter: PlanFilter = {}) => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status?.length) {
        where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
        args.push(...filter.status);
      }
      if (filter.source) {
        where.push('source = ?');
        args.push(filter.source);
      }
      if (filter.after !== undefined) {
        // the listing order, as a row value: (created_at, rowid) of the cursor plan
        where.push('(created_at, rowid) < (SELECT created_at, rowid FROM plans WHERE id = ?)');
        args.push(filter.after);
      }
      const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const sql = `SELECT * FROM plans ${whereSql} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
      return prepared<unknown[], PlanRow>(db, sql)
        .all(...args, filter.limit ?? 100)
        .map(planFromRow);
    },
    setPlanStatus: (id, status, at, extra = {}) => {
      const r = setStatus.run({
        id,
        status,
        at,
        summary: json(extra.summary),
        setError: 'error' in extra ? 1 : 0,
        error: json(extra.error),
      });
      if (r.changes === 0) throw new StoreNotFoundError(`no plan with id "${id}"`);
    },
    // BEGIN IMMEDIATE: the status read and its change hold the write lock against other processes
    changePlanStatus: (id: string, from: readonly PlanStatus[], status: PlanStatus, at: number) =>
      changeIf.immediate(id, from, status, at),
    supersede: db.transaction((oldId: string, newId: string, at: number) => {
      must(oldId);
      must(newId);
      link.run(newId, at, oldId);
      linkBack.run(oldId, at, newId);
      handOver.run(newId, oldId);
    }),
  } satisfies Partial<Synchronous<ExecutorStore>>;
}

function moveMethods(db: Database.Database) {
  const getMove = prepared<[string, number], MoveRow>(db, 'SELECT * FROM moves WHERE plan_id = ? AND idx = ?');
  const insertHistory = prepared(db, 'INSERT INTO move_history (plan_id, idx, state, at) VALUES (?, ?, ?, ?)');
  const insertProgress = prepared(
    db,
    `INSERT INTO progress (plan_id, idx, at, processed, remaining, total, dirty_rate, eta_seconds)
    VALUES (@planId, @index, @at, @processedBytes, @remainingBytes, @totalBytes, @dirtyRateBps, @etaSeconds)`,
  );
  const lastProgress = prepared(db, 'UPDATE moves SET progress_json = ? WHERE plan_id = ? AND idx = ?');
  const insertEvent = prepared(
    db,
    'INSERT INTO events (plan_id, move_idx, type, data_json, at) VALUES (?, ?, ?, ?, ?)',
  );
  return {
    listMoves: (planId: string) =>
      prepared<[string], MoveRow>(db, 'SELECT * FROM moves WHERE plan_id = ? ORDER BY idx')
        .all(planId)
        .map(moveFromRow),
    getMove: (planId: string, index: number) => {
      const row = getMove.get(planId, index);
      return row ? moveFromRow(row) : null;
    },
    updateMove: db.transaction((planId: string, index: number, patch: MovePatch, at: number) => {
      const sets = moveAssignments(patch);
      if (!sets.length) return;
      const assignments = sets.map(([column]) => `${column} = ?`).join(', ');
      const sql = `UPDATE moves SET ${assignments} WHERE plan_id = ? AND idx = ?`;
      const r = prepared(db, sql).run(...sets.map(([, value]) => value), planId, index);
      if (r.changes === 0) throw new StoreNotFoundError(`no move ${index} in plan "${planId}"`);
      if (patch.state) insertHistory.run(planId, index, patch.state, at);
    }),
    moveHistory: (planId: string, index: number) =>
      prepared<[string, number], { state: string; at: number }>(
        db,
        'SELECT state, at FROM move_history WHERE plan_id = ? AND idx = ? ORDER BY rowid',
      )
        .all(planId, index)
        .map((r) => ({ state: r.state as MoveState, at: r.at })),
    addProgress: db.transaction((s: Parameters<ExecutorStore['addProgress']>[0]) => {
      insertProgress.run(s);
      lastProgress.run(JSON.stringify(s), s.planId, s.index);
    }),
    listProgress: (planId: string, index?: number) => {
      const rows =
        index === undefined
          ? prepared<[string], ProgressRow>(db, 'SELECT * FROM progress WHERE plan_id = ? ORDER BY rowid').all(planId)
          : prepared<[string, number], ProgressRow>(
              db,
              'SELECT * FROM progress WHERE plan_id = ? AND idx = ? ORDER BY rowid',
            ).all(planId, index);
      return rows.map(progressFromRow);
    },
    appendEvent: (e: Parameters<ExecutorStore['appendEvent']>[0]) =>
      Number(insertEvent.run(e.planId, e.moveIndex, e.type, json(e.data), e.at).lastInsertRowid),
    listEvents: (filter: { planId?: string; afterId?: number; limit?: number } = {}) => {
      const sql = `SELECT * FROM events WHERE id > ? ${filter.planId ? 'AND plan_id = ?' : ''} ORDER BY id LIMIT ?`;
      const args: unknown[] = [filter.afterId ?? 0, ...(filter.planId ? [filter.planId] : []), filter.limit ?? -1];
      return prepared<unknown[], EventRow>(db, sql)
        .all(...args)
        .map(eventFromRow);
    },
  } satisfies Partial<Synchronous<ExecutorStore>>;
}
