import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { VERSION } from '../../src/version.js';
import type { ServiceStore } from '../../src/store/port.js';
import { openStore } from '../../src/store/sqlite.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 6, cells: 1, size: 8 });

/** Checks the text exposition format 0.0.4 line by line; returns samples by name{labels}. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    if (line === '') continue; // blank lines between families are allowed
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2]);
      }
      continue;
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN|Nan)$/.exec(
        line,
      );
    expect(m, `bad exposition line: ${line}`).not.toBeNull();
    const family = m![1].replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(m![1]) || typed.has(family), `sample before its TYPE: ${line}`).toBe(true);
    samples.set(m![1] + (m![2] ?? ''), Number(m![3]));
  }
  return samples;
}

describe('GET /metrics', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory })));
  afterAll(() => t.close());

  it('exposes plans by status, moves by outcome, durations, bytes, in-flight, timeouts and re-plans', async () => {
    const drain = await t.call('POST', `/plans/drain?host=${inventory.hosts[0].name}`);
    const id = drain.body.id as string;
    const now = Date.now();
    await t.store.setPlanStatus(id, 'running', now);
    await t.store.updateMove(id, 0, { state: 'succeeded', startedAt: now - 30_000, endedAt: now }, now);
    await t.store.updateMove(id, 1, { state: 'timed_out', startedAt: now - 5_000, endedAt: now }, now);
    await t.store.updateMove(id, 2, { state: 'migrating', startedAt: now }, now);
    const r = await t.call('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = parseExposition(r.body);
    expect(s.get('rebalancer_plans{status="running"}')).toBe(1);
    expect(s.get('rebalancer_plans{status="succeeded"}')).toBe(0);
    expect(s.get('rebalancer_moves_total{outcome="succeeded"}')).toBe(1);
    expect(s.get('rebalancer_moves_total{outcome="timed_out"}')).toBe(1);
    expect(s.get('rebalancer_migration_timeouts_total')).toBe(1);
    expect(s.get('rebalancer_migrations_in_flight')).toBe(1);
    expect(s.get('rebalancer_migrated_bytes_total')).toBe(drain.body.moves[0].gib * 1024 ** 3);
    expect(s.get('rebalancer_migration_duration_seconds_bucket{le="15"}')).toBe(0);
    expect(s.get('rebalancer_migration_duration_seconds_bucket{le="30"}')).toBe(1);
    expect(s.get('rebalancer_migration_duration_seconds_count')).toBe(1);
    expect(s.get('rebalancer_replans_total')).toBe(0);
    expect(s.get('rebalancer_http_requests_total{method="POST",route="/plans/drain",status="201"}')).toBe(1);
  });
});

const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

describe('GET /metrics, checked by Prometheus', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory })));
  afterAll(() => t.close());

  it.skipIf(!hasPromtool && !required)('passes promtool check metrics', async () => {
    expect(hasPromtool, 'promtool is missing (REBALANCER_REQUIRE_REAL is set): apt-get install prometheus').toBe(true);
    await t.call('POST', `/plans/drain?host=${inventory.hosts[1].name}`);
    const r = await t.call('GET', '/metrics');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: r.body, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('has the standard process and Node.js metrics and the build info', async () => {
    const s = parseExposition((await t.call('GET', '/metrics')).body);
    expect(s.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(s.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(s.get(`rebalancer_build_info{version="${VERSION}"}`)).toBe(1);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('plan metrics follow the store', () => {
  it('a scrape reads no stored plan or move list; counts carry on across a restart and count each ending once', async () => {
    const calls: string[] = [];
    const watched = (store: ServiceStore): ServiceStore =>
      new Proxy(store, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            return v.apply(target, args);
          };
        },
      });
    const t = await startHarness({ inventory, store: (path) => watched(openStore(path)) });
    const path = t.config.store.path!;
    const id = (await t.call('POST', `/plans/drain?host=${inventory.hosts[0].name}`)).body.id as string;
    const now = Date.now();
    await t.store.updateMove(id, 0, { state: 'failed', startedAt: now, endedAt: now }, now);
    await t.store.updateMove(id, 0, { state: 'failed' }, now);
    calls.length = 0;
    let s = parseExposition((await t.call('GET', '/metrics')).body);
    expect(calls.filter((c) => c === 'listPlans' || c === 'listMoves' || c === 'getPlan')).toEqual([]);
    expect(s.get('rebalancer_moves_total{outcome="failed"}')).toBe(1);
    expect(s.get('rebalancer_plans{status="planned"}')).toBe(1);

    // a second service on the same file (a restart, or another process) sees the same totals
    const other = await startHarness({ inventory, store: () => openStore(path) });
    await other.store.updateMove(id, 1, { state: 'skipped', startedAt: now, endedAt: now }, now);
    await other.store.setPlanStatus(id, 'failed', now);
    s = parseExposition((await other.call('GET', '/metrics')).body);
    expect(s.get('rebalancer_moves_total{outcome="failed"}')).toBe(1);
    expect(s.get('rebalancer_moves_total{outcome="skipped"}')).toBe(1);
    expect(s.get('rebalancer_plans{status="planned"}')).toBe(0);
    expect(s.get('rebalancer_plans{status="failed"}')).toBe(1);
    s = parseExposition((await t.call('GET', '/metrics')).body);
    expect(s.get('rebalancer_moves_total{outcome="skipped"}')).toBe(1);
    await other.close();
    await t.close();
  });
});
