/**
 * Schema migrations of the PostgreSQL store: ordered SQL in code, applied in one transaction at
 * open; `schema_migrations` records each version applied (1, 2, ...). Replicas starting together
 * take a transaction-level advisory lock first (LOCKS.migrations), so exactly one of them applies
 * the pending migrations and the others, once they get the lock, find nothing left to do.
 *
 * To change the schema, append a migration to POSTGRES_MIGRATIONS (never edit or reorder one that
 * shipped): its version is its position + 1. Times are epoch milliseconds in BIGINT columns, JSON
 * documents are TEXT (kept byte for byte, as the SQLite store keeps them), so src/store/rows.ts
 * maps the rows of both stores.
 */
import type pg from 'pg';
import { LEASE_TABLE_SQL } from '../../ha/lease.js';
import { pendingMigrations } from '../schema.js';
import { transaction, xactLock } from './pool.js';

export interface PostgresMigration {
  /** One line saying what the migration does (stored in schema_migrations). */
  description: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    description: 'plans, moves, move history, progress, events, maintenance claims, nightly runs, campaigns',
    sql: `
CREATE TABLE plans (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  goal TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  status TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  supersedes TEXT REFERENCES plans(id),
  superseded_by TEXT REFERENCES plans(id),
  request_json TEXT,
  summary_json TEXT,
  error_json TEXT
);
CREATE INDEX plans_status ON plans(status);
CREATE INDEX plans_listing ON plans(created_at, seq);
CREATE TABLE moves (
  plan_id TEXT NOT NULL REFERENCES plans(id),
  idx INTEGER NOT NULL,
  move_json TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_json TEXT,
  progress_json TEXT,
  location_json TEXT,
  started_at BIGINT,
  ended_at BIGINT,
  PRIMARY KEY (plan_id, idx)
);
CREATE INDEX moves_state ON moves(state);
-- id orders a move's history; for terminal states it is also the endings cursor (LOCKS.endings)
CREATE TABLE move_history (
  id BIGSERIAL PRIMARY KEY,
  plan_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  state TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX move_history_move ON move_history(plan_id, idx, id);
CREATE INDEX move_history_terminal ON move_history(id)
  WHERE state IN ('succeeded', 'skipped', 'failed', 'timed_out', 'cancelled');
CREATE TABLE progress (
  id BIGSERIAL PRIMARY KEY,
  plan_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  at BIGINT NOT NULL,
  processed BIGINT NOT NULL,
  remaining BIGINT NOT NULL,
  total BIGINT NOT NULL,
  dirty_rate DOUBLE PRECISION,
  eta_seconds DOUBLE PRECISION
);
CREATE INDEX progress_move ON progress(plan_id, idx, id);
-- ids are committed in id order (LOCKS.events), so a reader paging after an id misses none
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
  plan_id TEXT NOT NULL,
  move_idx INTEGER,
  type TEXT NOT NULL,
  data_json TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX events_plan ON events(plan_id, id);
CREATE TABLE maintenance (
  id BIGSERIAL PRIMARY KEY,
  host TEXT NOT NULL,
  since BIGINT NOT NULL,
  reason TEXT NOT NULL,
  plan_id TEXT,
  released_at BIGINT
);
-- at most one active claim per host: the database, not the caller, settles racing drains
CREATE UNIQUE INDEX maintenance_active ON maintenance(host) WHERE released_at IS NULL;
CREATE INDEX maintenance_plan ON maintenance(plan_id) WHERE released_at IS NULL;
CREATE TABLE nightly_runs (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  mode TEXT NOT NULL,
  result_json TEXT
);
CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL);
CREATE TABLE campaigns (
  seq BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  request_json TEXT NOT NULL,
  forecast_json TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_status ON campaigns(status);
CREATE TABLE campaign_hosts (
  seq BIGSERIAL UNIQUE,
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  host TEXT NOT NULL,
  step INTEGER NOT NULL,
  state TEXT NOT NULL,
  plan_id TEXT,
  reason TEXT,
  since BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, host)
);`,
  },
  {
    description: 'plan counts kept by triggers as plans are written (metrics read them, never count plans)',
    sql: `
CREATE TABLE plan_totals (key TEXT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO plan_totals (key, n) SELECT 'status:' || status, count(*) FROM plans GROUP BY status;
INSERT INTO plan_totals (key, n) SELECT 'replans', count(*) FROM plans WHERE supersedes IS NOT NULL;
-- adds delta to each key, in key order: two transactions moving plans between the same statuses
-- in opposite directions lock the counters in one order and never deadlock
CREATE FUNCTION plan_totals_add(keys TEXT[], deltas BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k INT;
BEGIN
  FOR k IN SELECT i FROM generate_subscripts(keys, 1) AS i ORDER BY keys[i] LOOP
    INSERT INTO plan_totals (key, n) VALUES (keys[k], deltas[k])
      ON CONFLICT (key) DO UPDATE SET n = plan_totals.n + EXCLUDED.n;
  END LOOP;
END $$;
CREATE FUNCTION plan_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.supersedes IS NOT NULL THEN
    PERFORM plan_totals_add(ARRAY['status:' || NEW.status, 'replans'], ARRAY[1, 1]::BIGINT[]);
  ELSE
    PERFORM plan_totals_add(ARRAY['status:' || NEW.status], ARRAY[1]::BIGINT[]);
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION plan_totals_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keys TEXT[] := '{}'; deltas BIGINT[] := '{}';
BEGIN
  IF OLD.status <> NEW.status THEN
    keys := keys || ARRAY['status:' || OLD.status, 'status:' || NEW.status];
    deltas := deltas || ARRAY[-1, 1]::BIGINT[];
  END IF;
  IF OLD.supersedes IS NULL AND NEW.supersedes IS NOT NULL THEN
    keys := keys || 'replans'::TEXT;
    deltas := deltas || 1::BIGINT;
  END IF;
  IF array_length(keys, 1) > 0 THEN PERFORM plan_totals_add(keys, deltas); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER plan_totals_insert AFTER INSERT ON plans FOR EACH ROW EXECUTE FUNCTION plan_totals_insert();
CREATE TRIGGER plan_totals_update AFTER UPDATE OF status, supersedes ON plans
  FOR EACH ROW EXECUTE FUNCTION plan_totals_update();`,
  },
  {
    description: 'leader lease among replicas (src/ha/lease.ts) and the shared demo world (src/demo/world.ts)',
    sql: `
${LEASE_TABLE_SQL};
CREATE TABLE demo_world (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  doc TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);`,
  },
];

/**
 * Brings the database to the latest schema version under LOCKS.migrations; returns the version
 * reached. `migrations` defaults to POSTGRES_MIGRATIONS (tests pass a prefix to make old schemas).
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  return transaction(pool, async (c) => {
    // a migration may take long, and so may waiting for a replica that migrates now
    await c.query('SET LOCAL statement_timeout = 0');
    await xactLock(c, 'migrations');
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    for (const { version, migration } of pendingMigrations(rows[0].v ?? 0, migrations)) {
      await c.query(migration.sql);
      await c.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [
        version,
        migration.description,
      ]);
    }
    return migrations.length;
  });
}
