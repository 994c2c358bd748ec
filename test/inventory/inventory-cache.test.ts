import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../planner/index.js';
import { cachedInventorySource } from '../../src/inventory/inventory-cache.js';

function setup() {
  let now = 0;
  let calls = 0;
  const pending: Array<(inv: Inventory) => void> = [];
  const clock = { now: () => now, sleep: async () => {} };
  const collect = () => {
    calls++;
    return new Promise<Inventory>((resolve) => pending.push(resolve));
  };
  const source = cachedInventorySource({ collect, clock, maxAgeMs: 1000 });
  const snapshot = (n: number): Inventory => ({
    hosts: [],
    instances: [],
    serverGroups: [{ id: `v${n}`, policy: 'affinity' }],
  });
  return {
    source,
    snapshot,
    pending,
    calls: () => calls,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('cachedInventorySource', () => {
  it('shares the first collection between concurrent callers', async () => {
    const t = setup();
    const a = t.source();
    const b = t.source();
    expect(t.calls()).toBe(1);
    t.pending[0](t.snapshot(1));
    expect(await a).toBe(await b);
  });

  it('serves the old snapshot while refreshing in the background once it is too old', async () => {
    const t = setup();
    const first = t.source();
    t.pending[0](t.snapshot(1));
    const v1 = await first;
    t.advance(1500);
    expect(await t.source()).toBe(v1);
    expect(t.calls()).toBe(2);
    expect(await t.source()).toBe(v1);
    expect(t.calls()).toBe(2);
    t.pending[1](t.snapshot(2));
    await new Promise((r) => setImmediate(r));
    expect((await t.source()).serverGroups[0].id).toBe('v2');
  });

  it('collects anew for fresh: true', async () => {
    const t = setup();
    const first = t.source();
    t.pending[0](t.snapshot(1));
    await first;
    const fresh = t.source({ fresh: true });
    expect(t.calls()).toBe(2);
    t.pending[1](t.snapshot(2));
    expect((await fresh).serverGroups[0].id).toBe('v2');
  });
});
