/**
 * The leader lease: one row of `ha_lease` in PostgreSQL, `(name, holder, token, expires_at)`.
 * Every time in it comes from the database clock (`now()`), so the replicas' clocks never have
 * to agree.
 *
 * - acquire: one UPDATE that takes the row when it is free (expired) or already ours, setting
 *   us as holder, a new fencing token (token + 1) and `expires_at = now() + lease`.
 * - renew: one UPDATE that extends `expires_at` only while the row still holds our token and
 *   has not expired; a lease that lapsed is never revived, it is acquired again (new token).
 * - holds: the fencing check, `holder = me AND token = mine AND expires_at > now() + margin`,
 *   made right before an action only the leader may take (starting a migration).
 * - release: on a clean stop the row expires at once, so a standby takes over on its next poll.
 *
 * The token grows by one with every acquisition; an action checked under token N cannot pass
 * once another replica (or a later term of the same one) holds token N + 1.
 */

/** The part of a `pg` Pool or Client the lease uses. */
export interface SqlRunner {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[] }>;
}

/** The table, created by the PostgreSQL store's migrations (src/store/postgres/migrations.ts). */
export const LEASE_TABLE_SQL = `CREATE TABLE ha_lease (
  name text PRIMARY KEY,
  holder text,
  token bigint NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL DEFAULT '-infinity'
)`;

export interface LeaseTerm {
  holder: string;
  token: number;
}

export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Takes the lease when it is free or ours; the new term, or null while another replica holds it. */
  acquire(): Promise<LeaseTerm | null>;
  /** Extends our term; false when the lease expired or another term holds it. */
  renew(term: LeaseTerm): Promise<boolean>;
  /** Whether `term` still holds the lease for at least `marginMs` by the database clock. */
  holds(term: LeaseTerm, marginMs: number): Promise<boolean>;
  /** Lets the lease go at once (a clean stop). */
  release(term: LeaseTerm): Promise<void>;
  /** The current row, for status and tests. */
  current(): Promise<{ holder: string | null; token: number; remainingMs: number } | null>;
}

export interface LeaseOptions {
  db: SqlRunner;
  /** Which lease (one per service). @default 'rebalancer' */
  name?: string;
  /** This replica's id (unique among replicas). */
  holder: string;
  leaseSeconds: number;
}

export function createLease(o: LeaseOptions): Lease {
  const name = o.name ?? 'rebalancer';
  const { db, holder } = o;
  const seconds = o.leaseSeconds;
  let ensured = false;
  const ensureRow = async () => {
    if (ensured) return;
    await db.query('INSERT INTO ha_lease (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    ensured = true;
  };
  return {
    name,
    holder,
    async acquire() {
      await ensureRow();
      const { rows } = await db.query<{ token: string }>(
        `UPDATE ha_lease SET holder = $2, token = token + 1, expires_at = now() + make_interval(secs => $3)
          WHERE name = $1 AND (expires_at <= now() OR holder = $2) RETURNING token`,
        [name, holder, seconds],
      );
      return rows[0] ? { holder, token: Number(rows[0].token) } : null;
    },
    async renew(term) {
      const { rows } = await db.query(
        `UPDATE ha_lease SET expires_at = now() + make_interval(secs => $4)
          WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now() RETURNING token`,
        [name, term.holder, term.token, seconds],
      );
      return rows.length === 1;
    },
    async holds(term, marginMs) {
      const { rows } = await db.query(
        `SELECT 1 FROM ha_lease WHERE name = $1 AND holder = $2 AND token = $3
            AND expires_at > now() + make_interval(secs => $4)`,
        [name, term.holder, term.token, marginMs / 1000],
      );
      return rows.length === 1;
    },
    async release(term) {
      await db.query(
        `UPDATE ha_lease SET expires_at = now() - interval '1 millisecond'
          WHERE name = $1 AND holder = $2 AND token = $3`,
        [name, term.holder, term.token],
      );
    },
    async current() {
      const { rows } = await db.query<{ holder: string | null; token: string; remaining: number }>(
        `SELECT holder, token, extract(epoch FROM (expires_at - now())) * 1000 AS remaining
           FROM ha_lease WHERE name = $1`,
        [name],
      );
      const r = rows[0];
      if (!r) return null;
      const remaining = Number(r.remaining);
      return { holder: r.holder, token: Number(r.token), remainingMs: Number.isFinite(remaining) ? remaining : 0 };
    },
  };
}
