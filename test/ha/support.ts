/**
 * Replicas as operators run them: `node bin/rebalancer.js serve` processes (the compiled build)
 * on one PostgreSQL database, each on its own loopback port, with the short lease the tests use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN, type Harness, makeCaller } from '../http/support/harness.js';

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
