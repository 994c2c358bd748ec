/**
 * The demo world survives a crash of the service: `rebalancer serve` (the real binary, demo
 * region) executes a drain, is SIGKILLed mid-way and started again on the same store. The plan
 * resumes and ends with the drained host empty in the simulated world, and the demo clock never
 * went back: every stored timestamp is in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoWorldPath } from '../../src/demo/world.js';
import { openStore } from '../../src/store/sqlite.js';
import { buildOnce } from '../support/build.js';
import { ADMIN, makeCaller } from './support/harness.js';

const repo = resolve(import.meta.dirname, '../..');

function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    ...process.env,
    REBALANCER_STORE__PATH: join(dir, 'store.sqlite'),
    REBALANCER_API__TOKENS: JSON.stringify([{ token: ADMIN, role: 'admin' }]),
    REBALANCER_DEMO: JSON.stringify({ seed: 21, cells: 2, size: 12, timeScale: 40 }),
    REBALANCER_PLANNER__METHOD: 'heuristic',
    REBALANCER_NIGHTLY__ENABLED: 'false',
    REBALANCER_INVENTORY__MAX_AGE_SECONDS: '0',
    REBALANCER_INVENTORY__SAMPLE_MS: '0',
  };
  const child = spawn(process.execPath, ['bin/rebalancer.js', 'serve', '--port', '0'], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolvePromise({ child, url });
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${out}`)));
  });
}

describe('demo world across a SIGKILL of the service', () => {
  const children: ChildProcess[] = [];
  beforeAll(buildOnce, 120_000);
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('resumes the drain after restart: the host ends empty and timestamps stay in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebalancer-demo-restart-'));
    const first = await serve(dir);
    children.push(first.child);
    let call = makeCaller(first.url);
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; instances: number }>;
    const busy = hosts.reduce((a, b) => (b.instances > a.instances ? b : a));
    expect(busy.instances).toBeGreaterThan(3);
    const created = await call('POST', `/plans/drain?host=${busy.name}&execute=true`);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // kill once some moves are done and others are not
    let moves: Array<{ state: string }> = [];
    for (let i = 0; i < 400; i++) {
      moves = (await call('GET', `/plans/${id}`)).body.moves;
      if (moves.some((m) => m.state === 'succeeded') && moves.some((m) => m.state !== 'succeeded')) break;
      await sleep(25);
    }
    const doneBefore = moves.filter((m) => m.state === 'succeeded').length;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(moves.length);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const world = demoWorldPath(join(dir, 'store.sqlite'))!;
    expect(existsSync(world)).toBe(true);
    const saved = JSON.parse(readFileSync(world, 'utf8')) as { domains: { host: string }[] };
    expect(saved.domains.filter((d) => d.host === busy.name).length).toBeLessThan(busy.instances);

    const second = await serve(dir);
    children.push(second.child);
    call = makeCaller(second.url);
    let plan = (await call('GET', `/plans/${id}`)).body;
    for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(plan.status); i++) {
      await sleep(100);
      plan = (await call('GET', `/plans/${id}`)).body;
    }
    expect(plan.status).toBe('succeeded');
    const host = (await call('GET', `/hosts/${busy.name}`)).body;
    expect(host.instances).toBe(0);
    expect(Date.parse(plan.updatedAt)).toBeGreaterThanOrEqual(Date.parse(plan.createdAt));
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));

    const store = openStore(join(dir, 'store.sqlite'));
    try {
      const record = (await store.getPlan(id))!;
      expect(record.updatedAt).toBeGreaterThanOrEqual(record.createdAt);
      for (const m of await store.listMoves(id)) {
        expect(m.state).toBe('succeeded');
        expect(m.startedAt!).toBeGreaterThanOrEqual(record.createdAt);
        expect(m.endedAt!).toBeGreaterThanOrEqual(m.startedAt!);
        expect(record.updatedAt).toBeGreaterThanOrEqual(m.endedAt!);
      }
    } finally {
      await store.close();
    }
  }, 180_000);
});
