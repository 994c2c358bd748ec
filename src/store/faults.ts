/**
 * Which errors mean "the store cannot serve now" (disk full, read-only file, I/O error, locked
 * too long; for PostgreSQL also an unreachable server, src/store/postgres/faults.ts) as opposed to
 * a bug: callers answer those as an unavailable dependency, naming the database's own reason
 * ("database or disk is full"), and the write that failed was rolled back whole.
 */
import Database from 'better-sqlite3';
import type { WriteFault } from '../../executor/store.js';
import type { ServiceStore } from './port.js';
import { postgresFault } from './postgres/faults.js';

const UNAVAILABLE = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
];

/**
 * A store fault: `code` is SQLite's extended result code (`SQLITE_FULL`) or, for PostgreSQL,
 * `PG_<SQLSTATE>` or the socket error code; `reason` the database's message.
 */
export type StoreFault = Omit<WriteFault, 'at'>;

/** The store fault in `err` or its causes, or null when the error is something else. */
export function storeFault(err: unknown): StoreFault | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const pg = postgresFault(e);
    if (pg) return pg;
    if (!(e instanceof Database.SqliteError)) continue;
    if (UNAVAILABLE.some((c) => e.code === c || e.code.startsWith(`${c}_`))) return { code: e.code, reason: e.message };
  }
  return null;
}

/** The methods that write; a success of one of them clears the remembered fault. */
const WRITES = [
  'createPlan',
  'setPlanStatus',
  'changePlanStatus',
  'supersede',
  'updateMove',
  'addProgress',
  'appendEvent',
  'claimMaintenance',
  'createPlanClaiming',
  'releaseMaintenance',
  'releaseMaintenanceOf',
  'startNightlyRun',
  'finishNightlyRun',
] as const satisfies readonly (keyof ServiceStore)[];

/**
 * Wraps the write methods of `store` so it remembers the last store fault (readiness reports it);
 * a write that returns a promise counts when the promise settles.
 */
export function trackWriteFaults<S extends Omit<ServiceStore, 'lastWriteFault'>>(
  store: S,
): S & Pick<ServiceStore, 'lastWriteFault'> {
  let last: WriteFault | null = null;
  const tracked: Record<string, unknown> = { ...store, lastWriteFault: async () => last };
  const failed = (err: unknown): never => {
    const fault = storeFault(err);
    if (fault) last = { ...fault, at: Date.now() };
    throw err;
  };
  const succeeded = <T>(result: T): T => {
    last = null;
    return result;
  };
  for (const name of WRITES) {
    const write = store[name] as (...args: unknown[]) => unknown;
    tracked[name] = (...args: unknown[]) => {
      try {
        const result = write(...args);
        return result instanceof Promise ? result.then(succeeded, failed) : succeeded(result);
      } catch (err) {
        return failed(err);
      }
    };
  }
  return tracked as unknown as S & Pick<ServiceStore, 'lastWriteFault'>;
}
