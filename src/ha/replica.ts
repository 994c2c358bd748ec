/**
 * The leadership of a service, from configuration: on a PostgreSQL store, the lease in that
 * database (lease.ts) with `ha.leaseSeconds` and `ha.pollSeconds`; on SQLite, the one process
 * always leads.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { createLease } from './lease.js';
import { createLeadership, soleLeadership, type Leadership, type LeadershipHooks } from './leadership.js';

export interface ReplicaLeadership {
  leadership: Leadership;
  /** This replica's id in the lease (host, pid and a random part). */
  holder: string;
  /** Closes the lease's connections (after `leadership.stop()`). */
  close(): Promise<void>;
}

export function leadershipFor(
  config: Config,
  o: { url: string | null; log: Logger; hooks: LeadershipHooks },
): ReplicaLeadership {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (!o.url) return { leadership: soleLeadership(o.hooks), holder, close: async () => {} };
  const log = o.log.child({ component: 'ha' });
  // its own small pool: a busy store pool must not delay a renewal
  const pool = new pg.Pool({ connectionString: o.url, max: 2, connectionTimeoutMillis: 2000 });
  pool.on('error', (err) => log.warn({ err }, 'lease connection lost'));
  // the table comes with the store's migrations, run when the store was opened
  const lease = createLease({ db: pool, holder, leaseSeconds: config.ha.leaseSeconds });
  const leadership = createLeadership({
    lease,
    leaseSeconds: config.ha.leaseSeconds,
    pollSeconds: config.ha.pollSeconds,
    log,
    ...o.hooks,
  });
  return { leadership, holder, close: () => pool.end() };
}
