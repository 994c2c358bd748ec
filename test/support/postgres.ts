/**
 * A real PostgreSQL server for the tests: one per vitest run (started by the first test that asks,
 * in the directory test/support/postgres-global.ts names, and stopped when the run ends), with a
 * new empty database per `freshDatabase()` call. Tests use `describe.skipIf(postgresSkip)`: when
 * the PostgreSQL binaries are missing the tests skip, unless REBALANCER_REQUIRE_REAL is set, and
 * then `freshDatabase()` fails saying how to install them. The binaries are looked up in
 * REBALANCER_POSTGRES_BIN, /usr/lib/postgresql/<version>/bin (Debian) and the PATH.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { ensureServer, findBinDir, type ServerInfo } from './postgres-server.js';
import { requireReal } from './lab.js';

export const POSTGRES_MISSING =
  'PostgreSQL is not installed: as root run `bash scripts/system-deps.sh` (Debian package `postgresql`), ' +
  'or point REBALANCER_POSTGRES_BIN at the directory holding initdb and postgres, then run the tests again';

/** True when the PostgreSQL server binaries are installed. */
export function postgresAvailable(): boolean {
  return findBinDir() !== null;
}

/** True when PostgreSQL tests may be skipped: no binaries and not required. */
export const postgresSkip = !postgresAvailable() && !requireReal;

let server: Promise<ServerInfo> | null = null;

/** The run's server, started on first use. */
export function postgresServer(): Promise<ServerInfo> {
  if (!postgresAvailable()) return Promise.reject(new Error(POSTGRES_MISSING));
  if (!server) {
    // without the global setup (another vitest config), this process owns a server of its own
    const runDir = safeInject() ?? mkdtempSync(join(tmpdir(), 'rebalancer-pg-'));
    server = ensureServer(runDir, process.pid);
    server.catch(() => {
      server = null;
    });
  }
  return server;
}

function safeInject(): string | undefined {
  try {
    return inject('postgresRunDir');
  } catch {
    return undefined;
  }
}

let counter = 0;

/** A new empty database on the run's server; `drop()` removes it (closing what is still connected). */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const info = await postgresServer();
  const name = `rb_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  await admin(info, `CREATE DATABASE ${name}`);
  return {
    url: `postgres://postgres@${info.host}:${info.port}/${name}`,
    drop: async () => {
      await admin(info, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Runs one statement on the server's `postgres` database as the superuser. */
export async function admin(info: ServerInfo, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: info.adminUrl });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}
