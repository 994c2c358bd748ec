/**
 * Store latency, SQLite against PostgreSQL, for the writes the executor and the API wait on:
 * storing a 60-move plan, a move's state change, an event, a drain with its claim, and events
 * appended by 4 replicas at once (PostgreSQL only: one SQLite file serves one process). Both
 * stores at full durability: SQLite `synchronous = FULL` on a file in the temp directory,
 * PostgreSQL with fsync and synchronous commit on, over TCP on this machine; the server is
 * `REBALANCER_BENCH_POSTGRES_URL` (a database the bench may fill) or, when unset, a throwaway one
 * started from the local PostgreSQL binaries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Plan } from '../planner/index.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/store.js';
import { openStore } from '../src/store/sqlite.js';
import { ensureServer, findBinDir, stopServer } from '../test/support/postgres-server.js';
import type { BenchOptions, BenchTable } from './main.js';

function plan(moves: number): Plan {
  return {
    goal: 'drain',
    target: { hosts: ['A'] },
    feasible: true,
    moves: Array.from({ length: moves }, (_, k) => ({
      instance: `vm-${k}`,
      name: `vm${k}`,
      from: 'A',
      to: 'B',
      mode: 'live' as const,
      wave: 0,
      estimatedSeconds: 10,
      timeoutSeconds: 1600,
      gib: 4,
    })),
    unplaced: [],
    metrics: {
      before: {},
      after: {},
      moves,
      gibToCopy: 4 * moves,
      waves: 1,
      method: 'bench',
      objective: 0,
      lowerBound: 0,
      gap: 0,
    },
  };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function timed(n: number, f: (k: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await f(k);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}

type Store = PostgresStore;

async function operations(store: Store, n: number): Promise<Array<[string, number, number[]]>> {
  const big = plan(60);
  const plans = await timed(Math.max(5, n / 10), (k) =>
    store.createPlan({ id: `p${k}`, plan: big, source: 'api', at: k }),
  );
  const states = ['prechecking', 'migrating', 'verifying', 'succeeded'] as const;
  const moves = await timed(n, (k) => store.updateMove('p0', k % 60, { state: states[k % 4] }, k));
  const events = await timed(n, (k) =>
    store.appendEvent({ planId: 'p0', moveIndex: k % 60, type: 'move.progress', data: { k }, at: k }),
  );
  const drains = await timed(Math.max(5, n / 10), (k) =>
    store.createPlanClaiming({ id: `d${k}`, plan: plan(5), source: 'api', at: k }, [`H${k}`]),
  );
  return [
    ['createPlan (60 moves)', plans.length, plans],
    ['updateMove (state change)', moves.length, moves],
    ['appendEvent', events.length, events],
    ['createPlanClaiming (5 moves, 1 host)', drains.length, drains],
  ];
}

async function postgresUrl(): Promise<{ url: string; close(): Promise<void>; where: string } | null> {
  const given = process.env.REBALANCER_BENCH_POSTGRES_URL;
  if (given) return { url: given, close: async () => {}, where: 'REBALANCER_BENCH_POSTGRES_URL' };
  if (!findBinDir()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-bench-pg-'));
  const info = await ensureServer(dir, process.pid, { durable: true });
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  return {
    url: info.adminUrl.replace(/\/postgres$/, '/bench'),
    where: 'a throwaway local server (fsync on)',
    async close() {
      await stopServer(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function run(o: BenchOptions): Promise<BenchTable[]> {
  const n = o.quick ? 100 : 1000;
  const rows: (string | number)[][] = [];
  const add = (name: string, results: Array<[string, number, number[]]>) => {
    for (const [op, count, ms] of results) rows.push([name, op, count, pct(ms, 0.5), pct(ms, 0.99), ms[ms.length - 1]]);
  };
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-bench-store-'));
  const sqlite = openStore(join(dir, 'state.db'));
  try {
    add('SQLite', await operations(sqlite, n));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await postgresUrl();
  const notes = [
    `${n} sequential calls per row (createPlan and createPlanClaiming ${Math.max(5, n / 10)}); ` +
      'milliseconds per call, awaited one after another.',
  ];
  if (!server) notes.push('PostgreSQL rows missing: no PostgreSQL binaries and REBALANCER_BENCH_POSTGRES_URL unset.');
  else {
    try {
      const store = await openPostgresStore(server.url);
      try {
        add('PostgreSQL', await operations(store, n));
        const replicas = await Promise.all([0, 1, 2, 3].map(() => openPostgresStore(server.url)));
        const t0 = performance.now();
        const each = await Promise.all(
          replicas.map((r, w) =>
            timed(n / 4, (k) => r.appendEvent({ planId: 'p0', moveIndex: null, type: 'bench', data: { w, k }, at: k })),
          ),
        );
        const wall = (performance.now() - t0) / 1000;
        const all = each.flat().sort((a, b) => a - b);
        rows.push([
          'PostgreSQL, 4 replicas',
          'appendEvent (concurrent)',
          all.length,
          pct(all, 0.5),
          pct(all, 0.99),
          all.at(-1)!,
        ]);
        notes.push(
          `4 replicas appending at once: ${(all.length / wall).toFixed(0)} events/s in total (ids commit in order ` +
            'under one advisory lock). PostgreSQL: ' +
            `${server.where}, over TCP on 127.0.0.1.`,
        );
        for (const r of replicas) await r.close();
      } finally {
        await store.close();
      }
    } finally {
      await server.close();
    }
  }
  return [
    {
      title: 'store: write latency, SQLite (synchronous FULL) and PostgreSQL (fsync on)',
      columns: ['store', 'operation', 'calls', 'p50 ms', 'p99 ms', 'max ms'],
      rows,
      notes,
    },
  ];
}
