/**
 * Replicas as operators run them: `node bin/rebalancer.js serve` processes (the compiled build)
 * on one PostgreSQL database, each on its own loopback port, with the short lease the tests use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN, type Harness, makeCaller } from '../http/support/harness.js';
import { buildOnce } from '../support/build.js';
import { freshDatabase } from '../support/postgres.js';

const repo = resolve(import.meta.dirname, '../..');

export interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  call: Harness['call'];
  /** Everything the process printed. */
  output(): string;
  /** Resolves when the process exited. */
  exited: Promise<void>;
}

export function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['bin/rebalancer.js', 'serve', '--port', '0'], {
    cwd: repo,
    env: {
      ...process.env,
      REBALANCER_API__TOKENS: JSON.stringify([{ token: ADMIN, role: 'admin' }]),
      REBALANCER_PLANNER__METHOD: 'heuristic',
      REBALANCER_NIGHTLY__ENABLED: 'false',
      REBALANCER_INVENTORY__MAX_AGE_SECONDS: '0',
      REBALANCER_INVENTORY__SAMPLE_MS: '0',
      REBALANCER_INVENTORY__DIRTY_RATE_MS: '0',
      REBALANCER_LOG__LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolvePromise({ name, child, url, call: makeCaller(url), output: () => out, exited });
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`replica ${name} exited (${code ?? signal}) before listening: ${out}`)),
    );
  });
}

export async function role(r: Replica): Promise<string | null> {
  try {
    const res = await r.call('GET', '/healthz', { token: null });
    return res.status === 200 ? (res.body.role as string) : null;
  } catch {
    return null;
  }
}

/** Polls until `check` holds (or throws after `ms`). */
export async function until<T>(what: string, ms: number, check: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Replicas of one test file on a database of their own, and a client that reads it. */
export interface ReplicaSet {
  /** The database's URL (set once the file's set-up ran). */
  readonly url: string;
  /** A client on the database, for reading what the replicas stored. */
  readonly sql: pg.Client;
  /** Every replica started, in order. */
  readonly replicas: Replica[];
  /** Starts a replica with `env` (the database is the caller's to name, e.g. in a config file). */
  start(name: string, env: Record<string, string>): Promise<Replica>;
}

/**
 * Registers the file's set-up (compiled build, a fresh database, a client on it) and its
 * tear-down (every replica SIGKILLed and gone, the client closed, the database dropped).
 */
export function replicasOnFreshDatabase(): ReplicaSet {
  let db: { url: string; drop(): Promise<void> } | undefined;
  let sql: pg.Client | undefined;
  const replicas: Replica[] = [];
  beforeAll(async () => {
    await buildOnce();
    db = await freshDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  }, 180_000);
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await sql?.end();
    await db?.drop();
  });
  return {
    get url() {
      if (!db) throw new Error('the replicas database is not set up yet');
      return db.url;
    },
    get sql() {
      if (!sql) throw new Error('the replicas database is not set up yet');
      return sql;
    },
    replicas,
    async start(name, env) {
      const r = await startReplica(name, env);
      replicas.push(r);
      return r;
    },
  };
}
