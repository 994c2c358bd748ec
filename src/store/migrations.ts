/**
 * Schema migrations, applied in order inside one write transaction; `PRAGMA user_version` records
 * how many have run, so opening an older file upgrades it and opening a current one does nothing.
 */
import type Database from 'better-sqlite3';
import { pendingMigrations } from './schema.js';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE plans (
     id TEXT PRIMARY KEY,
     goal TEXT NOT NULL,
     plan_json TEXT NOT NULL,
     status TEXT NOT NULL,
     source TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     supersedes TEXT REFERENCES plans(id),
     superseded_by TEXT REFERENCES plans(id),
     fingerprint TEXT,
     summary_json TEXT,
     error_json TEXT
   );
   CREATE INDEX plans_status ON plans(status);
   CREATE INDEX plans_created ON plans(created_at);
   CREATE TABLE moves (
     plan_id TEXT NOT NULL REFERENCES plans(id),
     idx INTEGER NOT NULL,
     move_json TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     error_json TEXT,
     progress_json TEXT,
     location_json TEXT,
     started_at INTEGER,
     ended_at INTEGER,
     PRIMARY KEY (plan_id, idx)
   );
   CREATE TABLE move_history (
     plan_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     state TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX move_history_move ON move_history(plan_id, idx);
   CREATE TABLE progress (
     plan_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     at INTEGER NOT NULL,
     processed INTEGER NOT NULL,
     remaining INTEGER NOT NULL,
     total INTEGER NOT NULL,
     dirty_rate REAL,
     eta_seconds REAL
   );
   CREATE INDEX progress_move ON progress(plan_id, idx);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     plan_id TEXT NOT NULL,
     move_idx INTEGER,
     type TEXT NOT NULL,
     data_json TEXT,
     at INTEGER NOT NULL
   );
   CREATE INDEX events_plan ON events(plan_id, id);
   CREATE TABLE maintenance (
     host TEXT NOT NULL,
     since INTEGER NOT NULL,
     reason TEXT NOT NULL,
     plan_id TEXT,
     released_at INTEGER
   );
   -- at most one active claim per host: the database, not the caller, settles racing drains
   CREATE UNIQUE INDEX maintenance_active ON maintenance(host) WHERE released_at IS NULL;
   CREATE TABLE nightly_runs (
     id TEXT PRIMARY KEY,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     mode TEXT NOT NULL,
     result_json TEXT
   );`,
  // plan counts kept by the database as plans are written, so reading them (metrics) costs the same
  // for ten plans or a million; the index keeps counting moves in a state proportional to the answer
  `CREATE TABLE plan_totals (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO plan_totals (key, n) SELECT 'status:' || status, count(*) FROM plans GROUP BY status;
   INSERT INTO plan_totals (key, n) SELECT 'replans', count(*) FROM plans WHERE supersedes IS NOT NULL;
   CREATE TRIGGER plan_totals_insert AFTER INSERT ON plans BEGIN
     INSERT INTO plan_totals (key, n) VALUES ('status:' || NEW.status, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
     INSERT INTO plan_totals (key, n) SELECT 'replans', 1 WHERE NEW.supersedes IS NOT NULL
       ON CONFLICT(key) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER plan_totals_status AFTER UPDATE OF status ON plans WHEN OLD.status <> NEW.status BEGIN
     UPDATE plan_totals SET n = n - 1 WHERE key = 'status:' || OLD.status;
     INSERT INTO plan_totals (key, n) VALUES ('status:' || NEW.status, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER plan_totals_replan AFTER UPDATE OF supersedes ON plans
     WHEN OLD.supersedes IS NULL AND NEW.supersedes IS NOT NULL BEGIN
     INSERT INTO plan_totals (key, n) VALUES ('replans', 1) ON CONFLICT(key) DO UPDATE SET n = n + 1;
   END;
   CREATE INDEX moves_state ON moves(state);`,
  // one row rewritten by the readiness probe: a committed write proves the store takes writes now
  `CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);`,
  // maintenance campaigns: the campaign (request, forecast plan, status) and each target host's state
  `CREATE TABLE campaigns (
     id TEXT PRIMARY KEY,
     request_json TEXT NOT NULL,
     forecast_json TEXT NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX campaigns_status ON campaigns(status);
   CREATE TABLE campaign_hosts (
     campaign_id TEXT NOT NULL REFERENCES campaigns(id),
     host TEXT NOT NULL,
     step INTEGER NOT NULL,
     state TEXT NOT NULL,
     plan_id TEXT,
     reason TEXT,
     since INTEGER NOT NULL,
     PRIMARY KEY (campaign_id, host)
   );`,
  // the request a plan was made for (re-planning starts from it)
  'ALTER TABLE plans ADD COLUMN request_json TEXT;',
  // the inventory fingerprint was never written
  'ALTER TABLE plans DROP COLUMN fingerprint;',
];

/**
 * Brings the database to the latest schema version; returns the version reached. Several
 * processes may open a brand-new file at once: the version is read again under the write lock
 * (`BEGIN IMMEDIATE`), so only the first one creates the tables and the others find them there.
 * The caller sets `busy_timeout` so the others wait for that lock instead of failing.
 */
export function migrate(db: Database.Database): number {
  const pending = () => pendingMigrations(db.pragma('user_version', { simple: true }) as number, MIGRATIONS);
  if (!pending().length) return MIGRATIONS.length; // the common case takes no write lock
  db.transaction(() => {
    for (const { version, migration } of pending()) {
      db.exec(migration);
      db.pragma(`user_version = ${version}`);
    }
  }).immediate();
  return MIGRATIONS.length;
}
