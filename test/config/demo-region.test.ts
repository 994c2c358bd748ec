import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../planner/index.js';
import { verifyPlan } from '../../planner/index.js';
import { scaledClock } from '../../src/demo/clock.js';
import { demoRegion } from '../../src/demo/region.js';
import { planOf } from '../support/plans.js';

describe('demo region', () => {
  const inv = demoRegion({ seed: 7 });

  it('is a valid inventory, the same for the same seed and different for another', () => {
    expect(parseInventory(inv).ok).toBe(true);
    expect(demoRegion({ seed: 7 })).toEqual(inv);
    expect(demoRegion({ seed: 8 }).instances[0].id).not.toBe(inv.instances[0].id);
  });

  it('has 3 cells of 24 hosts loaded 20-90%, some hot spots, ~15% local disks and server groups', () => {
    expect([...new Set(inv.hosts.map((h) => h.cell))]).toEqual(['cell1', 'cell2', 'cell3']);
    expect(inv.hosts.length).toBe(72);
    const mem = new Map<string, number>();
    for (const i of inv.instances) mem.set(i.host, (mem.get(i.host) ?? 0) + i.memoryMb);
    const loads = inv.hosts.map((h) => (mem.get(h.name) ?? 0) / (h.memoryMb - h.reservedMemoryMb));
    expect(Math.min(...loads)).toBeGreaterThan(0.1);
    expect(Math.max(...loads)).toBeLessThanOrEqual(0.9);
    expect(loads.filter((l) => l > 0.8).length).toBeGreaterThan(2);
    const local = inv.instances.filter((i) => i.storage === 'local').length / inv.instances.length;
    expect(local).toBeGreaterThan(0.1);
    expect(local).toBeLessThan(0.2);
    expect(inv.serverGroups.some((g) => g.policy === 'anti-affinity')).toBe(true);
  });

  it('respects anti-affinity: the empty plan of the region verifies', () => {
    const empty = planOf([], true, { goal: 'balance', target: { cells: [] } });
    const check = verifyPlan(inv, empty, {});
    expect(check.violations.filter((v) => v.code.includes('AFFINITY'))).toEqual([]);
  });

  it('scales to 1,000 hosts', () => {
    const big = demoRegion({ seed: 1, cells: 10, size: 1000 });
    expect(big.hosts.length).toBe(1000);
    expect(parseInventory(big).ok).toBe(true);
  });
});

describe('scaledClock', () => {
  it('runs time `scale` times faster and sleeps scaled-down real time', async () => {
    let now = 1000;
    const base = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const clock = scaledClock(60, base);
    now += 10;
    expect(clock.now()).toBe(1000 + 600);
    await clock.sleep(6000);
    expect(now).toBe(1010 + 100);
    expect(() => scaledClock(0)).toThrow('Expected `scale` to be a positive number, got `0`');
  });
});
