/**
 * HTTP benchmark: autocannon against the real app (child process, see http-server.ts) on a
 * 1,000-host simulated inventory (~23k instances).
 *
 * - `POST /plans/drain?dryRun=true`: 50 clients, each request drains another host (round robin
 *   over all hosts). dryRun runs the whole request path (parameters, inventory snapshot,
 *   validation, maintenance check, planning and verification) but stores nothing and claims no
 *   host, so every request plans a real drain and the run can last 60 s.
 * - `POST /plans/drain` (stored): 200 requests, each a different host; measures storing the plan
 *   and the maintenance claim too.
 * - `GET /plans/:id`: 50 clients reading one stored plan with its moves.
 * RSS is read from the server (after a GC) before and after the drain run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import type { BenchOptions, BenchTable } from './main.js';

interface Ready {
  method: string;
  port: number;
  token: string;
  hosts: string[];
  instances: number;
}
interface Memory {
  rss: number;
  heapUsed: number;
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

export async function run({ quick }: BenchOptions): Promise<BenchTable[]> {
  const child = fork(new URL('./http-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [ready] = (await once(child, 'message')) as [Ready];
    const base = `http://127.0.0.1:${ready.port}`;
    const headers = { authorization: `Bearer ${ready.token}` };
    const seconds = quick ? 5 : 60;
    let next = 0;
    const nextHost = () => encodeURIComponent(ready.hosts[next++ % ready.hosts.length]);
    // Warm-up: JIT and the first inventory collection.
    await load({
      url: base,
      connections: 4,
      amount: 50,
      headers,
      method: 'POST',
      requests: [{ setupRequest: (r) => ({ ...r, path: `/plans/drain?dryRun=true&host=${nextHost()}` }) }],
    });
    const before = await ask<Memory>(child, 'memory');
    const drain = await load({
      url: base,
      connections: 50,
      duration: seconds,
      headers,
      method: 'POST',
      requests: [{ setupRequest: (r) => ({ ...r, path: `/plans/drain?dryRun=true&host=${nextHost()}` }) }],
    });
    const after = await ask<Memory>(child, 'memory');
    let unique = 0;
    const stored = await load({
      url: base,
      connections: 50,
      amount: quick ? 100 : 200,
      headers,
      method: 'POST',
      requests: [
        {
          setupRequest: (r) => ({
            ...r,
            path: `/plans/drain?host=${encodeURIComponent(ready.hosts[(unique++ * 5) % ready.hosts.length])}`,
          }),
        },
      ],
    });
    const list = (await (await fetch(`${base}/plans?limit=1`, { headers })).json()) as { plans: Array<{ id: string }> };
    const read = await load({
      url: `${base}/plans/${list.plans[0].id}`,
      connections: 50,
      duration: quick ? 5 : 20,
      headers,
    });
    return [
      {
        title:
          `http: ${ready.hosts.length} hosts, ${ready.instances} instances (simulated), planner method ` +
          `${ready.method}, ${quick ? 'quick' : 'full'} run`,
        columns: ['endpoint', 'clients', 's', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors'],
        rows: [
          row('POST /plans/drain?dryRun=true', drain, 200),
          row('POST /plans/drain (stored, unique hosts)', stored, 201),
          row('GET /plans/:id', read, 200),
        ],
        notes: [
          `Server RSS after GC: ${mib(before.rss)} MiB before the ${seconds} s drain run, ${mib(after.rss)} MiB ` +
            `after (heap used ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} MiB).`,
          'Targets: drain p99 < 200 ms, reads p99 < 20 ms, zero errors, no memory growth.',
        ],
      },
    ];
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}
