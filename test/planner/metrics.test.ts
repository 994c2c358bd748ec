import { describe, expect, it } from 'vitest';
import { cellStats, maxAndCv, optimalityGap, planMetrics } from '../../planner/metrics.js';
import { host, inventory, move, vm } from './support/tiny.js';

describe('maxAndCv', () => {
  it('computes the population coefficient of variation', () => {
    const r = maxAndCv([0.2, 0.4, 0.6]);
    expect(r.max).toBe(0.6);
    expect(r.cv).toBeCloseTo(Math.sqrt((0.2 ** 2 + 0 + 0.2 ** 2) / 3) / 0.4, 12);
  });
  it('is 0 for all-zero hosts and for no hosts', () => {
    expect(maxAndCv([0, 0])).toEqual({ max: 0, cv: 0 });
    expect(maxAndCv([])).toEqual({ max: 0, cv: 0 });
  });
});

describe('cellStats', () => {
  const inv = inventory(
    [
      host('a', { cpuUsage: 0.5, reservedVcpus: 0, cpuAllocationRatio: 2 }),
      host('b', { cpuUsage: 0.1, enabled: false }),
      host('c', { cell: 'cell2' }),
    ],
    [vm('v1', 'a', { vcpus: 4, memoryMb: 8192, cpuUsage: 0.5 }), vm('v2', 'c')],
  );

  it('reports allocation per cell over every host, disabled ones included', () => {
    const s = cellStats(inv, new Map());
    expect(Object.keys(s)).toEqual(['cell1', 'cell2']);
    expect(s.cell1.hosts).toBe(2);
    expect(s.cell1.cpuAlloc.max).toBeCloseTo(4 / 16, 12);
    expect(s.cell1.memAlloc.max).toBeCloseTo(0.5, 12);
    expect(s.cell1.memAlloc.cv).toBeCloseTo(1, 12);
    expect(s.cell2.cpuUsage).toBeNull();
  });

  it('shifts measured CPU usage with a moved instance', () => {
    const s = cellStats(inv, new Map([['v1', 'b']]));
    // 0.5 x 4 vcpus / 8 physical = 0.25 leaves a and lands on b.
    expect(s.cell1.cpuUsage!.max).toBeCloseTo(0.35, 12);
    expect(s.cell1.memAlloc.max).toBeCloseTo(0.5, 12);
  });
});

describe('planMetrics', () => {
  it('counts moves, GiB and waves and applies the latest move of each instance', () => {
    const v = vm('v1', 'a', { memoryMb: 2048 });
    const inv = inventory([host('a'), host('b'), host('c')], [v]);
    const m = planMetrics(inv, [move(v, 'a', 'b', 0), move(v, 'b', 'c', 1)], {
      method: 'hand',
      objective: 2,
      lowerBound: 1,
    });
    expect(m.moves).toBe(2);
    expect(m.gibToCopy).toBe(4);
    expect(m.waves).toBe(2);
    expect(m.gap).toBeCloseTo(0.5, 12);
    expect(m.before.cell1.memAlloc.max).toBeCloseTo(2048 / 16384, 12);
    expect(m.after.cell1.memAlloc.max).toBeCloseTo(2048 / 16384, 12);
    expect(m.after.cell1.memAlloc.cv).toBeCloseTo(m.before.cell1.memAlloc.cv, 12);
  });
  it('reports no waves and a zero gap for an empty optimal plan', () => {
    const m = planMetrics(inventory([host('a')], []), [], { method: 'none', objective: 0, lowerBound: 0 });
    expect(m.waves).toBe(0);
    expect(m.gap).toBe(0);
    expect(optimalityGap(3, 3)).toBe(0);
  });
});
