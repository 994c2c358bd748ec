/**
 * HTTP benchmark: autocannon against the real app (child process, see http-server.ts) on a
 * 1,000-host simulated inventory (~23k instances), the service's default planner method (`auto`),
 * planning on the worker pool (BENCH_POOL=0: in-process), the inventory collected again every 5 s.
 *
 * - `POST /plans/drain?dryRun=true`: 50 clients, each request drains another host (round robin).
 *   dryRun runs the whole request path (parameters, inventory snapshot, validation, maintenance
 *   check, planning and verification) but stores nothing and claims no host.
 * - `GET /plans/:id`: 10 clients reading one stored plan with its moves while the drains run.
 * - `POST /plans/drain` (stored): 200 requests, each a different host (plan and maintenance claim).
 * A full run is two servers: 15 s straight after start-up (no warm-up), then 60 s after a warm-up.
 * RSS is read from the server after three rounds of GC on every thread (main and workers), 250 ms
 * apart, at start, around the drains and at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import type { BenchOptions, BenchTable } from './main.js';

interface Ready {
  method: string;
  pool: number;
  port: number;
  token: string;
  hosts: string[];
  instances: number;
}
interface Memory {
  rss: number;
  heapUsed: number;
  /** After the workers' GC too. */
  rssAll: number;
  /** CPU time of the main thread so far (null where it cannot be read). */
  cpuMs: number | null;
  /** The main thread's event loop since the previous reading. */
  loop: { p99Ms: number; maxMs: number; gc: { major: number; majorMaxMs: number; majorMs: number; minorMs: number } };
  workers: { heapUsed: number; heapTotal: number; versions: number; instances: number }[];
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  const reply = once(child, 'message').then(([m]) => m as T);
  child.send({ type });
  return reply;
}

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  if (process.env.BENCH_DEBUG)
    process.stderr.write(
      `bench http: ${opts.method ?? 'GET'} ${opts.url} x${opts.connections} ${opts.duration ?? ''}s ` +
        `${opts.amount ?? ''}\n`,
    );
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 30, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function row(name: string, r: autocannon.Result, expected: number): (string | number)[] {
  const bad =
    r.errors +
    r.timeouts +
    r.non2xx +
    (Object.entries(r.statusCodeStats ?? {})
      .filter(([c]) => Number(c) !== expected)
      .reduce((s, [, v]) => s + (v as { count: number }).count, 0) -
      r.non2xx);
  return [
    name,
    r.connections,
    r.duration,
    r.requests.total,
    Math.round(r.requests.average),
    r.latency.p50,
    r.latency.p99,
    r.latency.max,
    Math.max(0, bad),
  ];
}

const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const ms = (v: number) => Math.round(v * 10) / 10;
const growth = (from: number, to: number) => `${to >= from ? '+' : ''}${Math.round(((to - from) / from) * 100)}%`;

/**
 * The main thread's event-loop delay and GCs during the drains; the workers' heaps; RSS after the
 * main thread's GC alone.
 */
function loopNote(during: Memory, before: Memory, end: Memory, seconds: number): string {
  const { p99Ms, maxMs, gc } = during.loop;
  const cpu =
    during.cpuMs !== null && before.cpuMs !== null
      ? `CPU ${ms((during.cpuMs - before.cpuMs) / 1000)} s in ${seconds} s, `
      : '';
  const heaps = (m: Memory) => m.workers.map((w) => `${mib(w.heapUsed)} MiB (${w.versions} snapshots)`).join(', ');
  return (
    `Main thread during the drains: ${cpu}event-loop delay p99 ${ms(p99Ms)} ms, max ${ms(maxMs)} ms; GC ` +
    `${ms(gc.minorMs)} ms minor, ${gc.major} major (${ms(gc.majorMs)} ms, longest ${ms(gc.majorMaxMs)} ms). ` +
    `Worker heap used after its GC: ${heaps(before) || '-'} before the drains, ${heaps(during) || '-'} after them, ` +
    `${heaps(end) || '-'} at the end. RSS after the main thread's GC only (the workers' young garbage still ` +
    `counted): ${mib(before.rss)} MiB before the drains, ${mib(during.rss)} MiB after them, ${mib(end.rss)} MiB at ` +
    `the end.`
  );
}

/**
 * One server from start-up: optionally a warm-up, then drains (50 clients) and reads of a stored
 * plan (10 clients) at the same time for `seconds`, the inventory collected again every 5 s.
 */
async function session(o: { seconds: number; warmUp: boolean; stored: number }): Promise<BenchTable> {
  const cpuProf = process.env.BENCH_CPU_PROF;
  const child = fork(new URL('./http-server.ts', import.meta.url).pathname, [], {
    // BENCH_CPU_PROF=<dir>: CPU profiles of the server's threads (node --cpu-prof) into that folder
    execArgv: ['--import', 'tsx', '--expose-gc', ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [ready] = (await once(child, 'message')) as [Ready];
    const start = await ask<Memory>(child, 'memory');
    const base = `http://127.0.0.1:${ready.port}`;
    const headers = { authorization: `Bearer ${ready.token}` };
    // The last host is drained for real (the plan the reads fetch); the dry runs drain the others.
    const held = ready.hosts[ready.hosts.length - 1];
    const others = ready.hosts.slice(0, -1);
    let next = 0;
    const nextHost = () => encodeURIComponent(others[next++ % others.length]);
    const dryRun = (r: { path?: string }) => ({ ...r, path: `/plans/drain?dryRun=true&host=${nextHost()}` });
    if (o.warmUp)
      await load({
        url: base,
        connections: 4,
        amount: 50,
        headers,
        method: 'POST',
        requests: [{ setupRequest: dryRun }],
      });
    const res = await fetch(`${base}/plans/drain?host=${encodeURIComponent(held)}`, { method: 'POST', headers });
    const planId = ((await res.json()) as { id?: string; plan?: { id?: string } }).id;
    if (res.status !== 201 || !planId) throw new Error(`bench http: storing a plan answered ${res.status}`);
    const before = await ask<Memory>(child, 'memory');
    const [drain, read] = await Promise.all([
      load({
        url: base,
        connections: 50,
        duration: o.seconds,
        headers,
        method: 'POST',
        requests: [{ setupRequest: dryRun }],
      }),
      load({ url: `${base}/plans/${planId}`, connections: 10, duration: o.seconds, headers }),
    ]);
    const after = await ask<Memory>(child, 'memory');
    const rows = [
      row('POST /plans/drain?dryRun=true', drain, 200),
      row('GET /plans/:id (during the drains)', read, 200),
    ];
    if (o.stored) {
      let unique = 0;
      const stored = await load({
        url: base,
        connections: 50,
        amount: o.stored,
        headers,
        method: 'POST',
        requests: [
          {
            setupRequest: (r) => ({
              ...r,
              path: `/plans/drain?host=${encodeURIComponent(others[(unique++ * 5) % others.length])}`,
            }),
          },
        ],
      });
      rows.push(row('POST /plans/drain (stored, unique hosts)', stored, 201));
    }
    const end = await ask<Memory>(child, 'memory');
    const planning = ready.pool ? `${ready.pool} planning worker thread(s)` : 'planning in-process (no pool)';
    return {
      title:
        `http: ${ready.hosts.length} hosts, ${ready.instances} instances (simulated), method ${ready.method}, ` +
        `${planning}, ${o.seconds} s${o.warmUp ? ' after a warm-up' : ' straight after start-up'}`,
      columns: ['endpoint', 'clients', 's', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors'],
      rows,
      notes: [
        `Server RSS after the GC of every thread: ${mib(start.rssAll)} MiB at start, ${mib(before.rssAll)} MiB ` +
          `before the drains, ${mib(after.rssAll)} MiB after them, ${mib(end.rssAll)} MiB at the end ` +
          `(${growth(start.rssAll, end.rssAll)} from start; heap used ${mib(start.heapUsed)} -> ` +
          `${mib(end.heapUsed)} MiB). Inventory collected again every 5 s.`,
        loopNote(after, before, end, o.seconds),
        'Targets: drain p99 < 200 ms, GET p99 < 10 ms while the drains run, zero errors, RSS within 20% of start.',
      ],
    };
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchTable[]> {
  if (quick) return [await session({ seconds: 5, warmUp: true, stored: 50 })];
  // Straight after start-up first (cold JIT, first collections), then the full run.
  const startup = await session({ seconds: 15, warmUp: false, stored: 0 });
  return [startup, await session({ seconds: 60, warmUp: true, stored: 200 })];
}
