/**
 * The PostgreSQL implementation of the service's store port (src/store/port.ts), through `pg`
 * (node-postgres), for several replicas sharing one database. Same semantics as the SQLite store;
 * a call resolves once its transaction committed (durable with PostgreSQL's default
 * `synchronous_commit = on`).
 *
 * Concurrency, method by method (transactions at READ COMMITTED; advisory locks are
 * transaction-level, keys in LOCKS, ./pool.ts):
 * - claimMaintenance / createPlanClaiming / releaseMaintenance(Of): every change of claims first
 *   takes LOCKS.claims, so racing claimers on any replica run one after the other and each sees
 *   the claims the previous one committed: of two racing drains exactly one wins. The unique
 *   partial index `maintenance_active` (one active claim per host) is the last line of defence.
 *   createPlanClaiming reads the holders' plan statuses `FOR SHARE`, so a holder cannot change
 *   status until the decision and the new plan are committed.
 * - supersede: LOCKS.claims, then both plan rows `FOR UPDATE`, then links both ways and hands the
 *   claims over in the same transaction (a drain racing it sees the claims before or after the
 *   hand-over, never a superseded holder with claims not yet handed over).
 * - createPlan, updateMove (move row + history row), addProgress, createCampaign,
 *   updateCampaignHost: one transaction each; single-statement writes (setPlanStatus,
 *   setCampaignStatus) are atomic by themselves and take the row lock.
 * - appendEvent takes LOCKS.events and updateMove to a terminal state LOCKS.endings around the
 *   insert: a BIGSERIAL id is taken when the row is inserted, not when it commits, so without the
 *   lock a reader paging after id 10 could see 12 committed before 11 and never see 11. Under the
 *   lock, ids commit in id order and `listEvents({ afterId })` / `listMoveEndings` miss nothing.
 * - planTotals: counters in `plan_totals` kept by triggers in the same transaction as the plan
 *   write, updated in key order (no deadlock between opposite status changes); reading them costs
 *   the same for ten plans or a million.
 * - Deadlocks and serialization failures PostgreSQL detects are retried whole (./pool.ts).
 *
 * For the leader lease and other additions: `openPostgres` returns the pool and the store; add
 * tables by appending to POSTGRES_MIGRATIONS (./migrations.ts), run transactions with
 * `transaction(pool, fn)` and locks with `xactLock` (add a key to LOCKS).
 */
import type pg from 'pg';
import { trackWriteFaults } from '../faults.js';
import type { ServiceStore } from '../port.js';
import { migratePostgres } from './migrations.js';
import { planMethods, moveMethods } from './plans.js';
import { createPool, type PostgresPoolOptions } from './pool.js';
import { campaignMethods, maintenanceMethods, nightlyMethods, totalsMethods } from './service.js';

export type PostgresStore = ServiceStore;

/** The store's methods over `pool` (schema already migrated); `close()` ends the pool. */
export function postgresStore(pool: pg.Pool): PostgresStore {
  return trackWriteFaults({
    ...planMethods(pool),
    ...moveMethods(pool),
    ...maintenanceMethods(pool),
    ...nightlyMethods(pool),
    ...totalsMethods(pool),
    ...campaignMethods(pool),
    close: () => pool.end(),
  });
}

export interface OpenPostgresOptions extends PostgresPoolOptions {
  /** Called with errors of idle pooled connections (e.g. the server restarted); the pool replaces them. */
  onIdleError?: (err: Error) => void;
}

/** Opens a pool on `url`, migrates the schema and returns both; `store.close()` ends the pool. */
export async function openPostgres(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<{ pool: pg.Pool; store: PostgresStore }> {
  const pool = createPool(url, options, options.onIdleError);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return { pool, store: postgresStore(pool) };
}

/** Opens (migrating when needed) the PostgreSQL store at `url`. */
export async function openPostgresStore(url: string, options: OpenPostgresOptions = {}): Promise<PostgresStore> {
  return (await openPostgres(url, options)).store;
}
