/**
 * The PostgreSQL connection pool of the store and the transaction helper every write goes
 * through. Transactions run at READ COMMITTED (PostgreSQL's default); where two replicas could
 * interleave, a transaction-level advisory lock (LOCKS) or a row lock (`FOR UPDATE` / `FOR SHARE`)
 * serialises them, as the store's header says method by method. A transaction that PostgreSQL
 * aborts to break a deadlock or a serialization conflict is run again from the start (it changed
 * nothing); every other error rolls back and is thrown.
 */
import pg from 'pg';

/** Advisory lock keys: (LOCKS.namespace, key) pairs, so other users of the database do not collide. */
export const LOCKS = {
  /** 'RBL1': the store's namespace for pg_advisory_xact_lock(namespace, key). */
  namespace: 0x52424c31,
  /** Migrating the schema at open. */
  migrations: 1,
  /** Every change of maintenance claims (claim, drain claim, release, hand-over on supersede). */
  claims: 2,
  /** Appending an event: ids commit in id order. */
  events: 3,
  /** Appending a terminal move state: ending ids commit in id order. */
  endings: 4,
} as const;

export type LockKey = Exclude<keyof typeof LOCKS, 'namespace'>;

export interface PostgresPoolOptions {
  /** Connections the pool opens at most. @default 10 */
  poolSize?: number;
  /** How long getting a connection may take before the call fails (the database is unreachable). @default 5000 */
  connectTimeoutMs?: number;
  /** `application_name` shown in pg_stat_activity. @default 'rebalancer' */
  applicationName?: string;
  /**
   * Longest a statement may run, waiting for a lock included, before the server cancels it (the
   * call fails as a store fault, its transaction rolled back). @default 30000
   */
  statementTimeoutMs?: number;
}

/** BIGINT (epoch ms, counts, ids) as a number: every value the store keeps is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pool on `url` (postgres://user:password@host:port/database?...). Errors of idle connections
 * (the server restarted) are handed to `onIdleError` instead of crashing the process; the next
 * query opens a new connection.
 */
export function createPool(
  url: string,
  options: PostgresPoolOptions = {},
  onIdleError?: (err: Error) => void,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: options.applicationName ?? 'rebalancer',
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // a server that vanished without closing the connection is noticed by TCP keepalive
    keepAlive: true,
    types,
  });
  pool.on('error', (err) => onIdleError?.(err));
  return pool;
}

/** Takes the advisory lock `key` until the end of the current transaction. */
export async function xactLock(client: pg.ClientBase, key: LockKey): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS[key]]);
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRY = new Set(['40001', '40P01']);

/**
 * Runs `fn` in one transaction on one connection of `pool`; commits when it resolves, rolls back
 * when it throws. A connection that failed is discarded, not returned to the pool.
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
      const code = (err as { code?: string }).code;
      if (!broken && code && RETRY.has(code) && attempt < 5) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
