import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { Registry } from '../../src/http/metrics/registry.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 6, cells: 1, size: 8 });

/** Checks the text exposition format 0.0.4 line by line; returns samples by name{labels}. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2]);
      }
      continue;
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/.exec(
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
    t.store.setPlanStatus(id, 'running', now);
    t.store.updateMove(id, 0, { state: 'succeeded', startedAt: now - 30_000, endedAt: now }, now);
    t.store.updateMove(id, 1, { state: 'timed_out', startedAt: now - 5_000, endedAt: now }, now);
    t.store.updateMove(id, 2, { state: 'migrating', startedAt: now }, now);
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

describe('metrics registry', () => {
  it('escapes label values and help text, renders +Inf buckets', () => {
    const r = new Registry();
    r.counter('x_total', 'a\nb').inc({ path: 'a"b\\c\nd' }, 2);
    r.histogram('h', 'h', [1]).observe({}, 5);
    const text = r.render();
    expect(text).toContain('# HELP x_total a\\nb');
    expect(text).toContain('x_total{path="a\\"b\\\\c\\nd"} 2');
    expect(text).toContain('h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_sum 5\nh_count 1');
    expect(() => r.gauge('h', 'again')).toThrow(/registered twice/);
  });
});
