import { describe, it, expect } from 'vitest';
import type { Inventory, Plan } from '../../planner/index.js';
import { verifyPlan } from '../../planner/index.js';
import { buildView } from '../../planner/constraints/view.js';
import { scheduleWaves, type TargetMove, type WaveLeg } from '../../planner/waves.js';
import { toMove } from '../../planner/balance/assemble.js';
import { planMetrics } from '../../planner/metrics.js';
import { host, inventory, scenario, vm } from './constraints-helpers.js';

/** Target placements by instance id and host name. */
function targets(
  inv: Inventory,
  wanted: Record<string, string>,
): { view: ReturnType<typeof buildView>; moves: TargetMove[] } {
  const view = buildView(inv);
  const moves = Object.entries(wanted).map(([id, to], k) => ({
    instance: view.instanceIndex.get(id)!,
    to: view.hostIndex.get(to)!,
    priority: -k,
  }));
  return { view, moves };
}

function asPlan(inv: Inventory, view: ReturnType<typeof buildView>, legs: WaveLeg[]): Plan {
  const moves = legs.map((l) => toMove(view, l, {}));
  const metrics = planMetrics(inv, moves, { method: 'test', objective: 0, lowerBound: 0 });
  return { goal: 'balance', target: { cells: ['cell1'] }, feasible: true, moves, unplaced: [], metrics };
}

const names = (view: ReturnType<typeof buildView>, legs: WaveLeg[]) =>
  legs.map((l) => `${l.wave}:${view.instances[l.instance].name}:${view.hosts[l.from].name}>${view.hosts[l.to].name}`);

describe('scheduleWaves', () => {
  it('breaks the swap between two full hosts by bouncing through the only host with room', () => {
    const inv = scenario('swap-needs-bounce');
    const a1 = inv.instances.find((i) => i.host === 'sw-a')!;
    const b1 = inv.instances.find((i) => i.host === 'sw-b')!;
    const { view, moves } = targets(inv, { [a1.id]: 'sw-b', [b1.id]: 'sw-a' });
    const s = scheduleWaves(view, moves);
    expect(s.dropped).toEqual([]);
    expect(s.bounces).toBe(1);
    expect(s.legs.length).toBe(3);
    expect(new Set(s.legs.map((l) => l.wave)).size).toBeGreaterThanOrEqual(2);
    expect(s.legs.some((l) => view.hosts[l.to].name === 'sw-c')).toBe(true);
    const final = new Map(s.legs.map((l) => [view.instances[l.instance].id, view.hosts[l.to].name]));
    expect(final.get(a1.id)).toBe('sw-b');
    expect(final.get(b1.id)).toBe('sw-a');
    expect(verifyPlan(inv, asPlan(inv, view, s.legs))).toEqual({ ok: true, violations: [] });
  });

  it('keeps anti-affinity at every instant when two members exchange hosts', () => {
    const inv = inventory(
      [host('A'), host('B'), host('C')],
      [vm('x', 'A', { serverGroup: 'g' }), vm('y', 'B', { serverGroup: 'g' })],
      [{ id: 'g', policy: 'anti-affinity' }],
    );
    const { view, moves } = targets(inv, { 'id-x': 'B', 'id-y': 'A' });
    const s = scheduleWaves(view, moves);
    expect(s.dropped).toEqual([]);
    // Members may never share a host, counting an instance in flight on both ends.
    for (let w = 0; w <= Math.max(...s.legs.map((l) => l.wave)); w++) {
      const inWave = s.legs.filter((l) => l.wave === w);
      const touched = inWave.flatMap((l) => [l.from, l.to]);
      expect(new Set(touched).size).toBe(touched.length);
    }
    expect(verifyPlan(inv, asPlan(inv, view, s.legs)).ok).toBe(true);
  });

  it('orders a chain: the move that makes room goes first', () => {
    const inv = inventory(
      [host('A', { memoryMb: 8192 }), host('B', { memoryMb: 8192 }), host('C', { memoryMb: 8192 })],
      [vm('a', 'A', { memoryMb: 8192 }), vm('b', 'B', { memoryMb: 8192 })],
    );
    const { view, moves } = targets(inv, { 'id-a': 'B', 'id-b': 'C' });
    expect(names(view, scheduleWaves(view, moves).legs)).toEqual(['0:b:B>C', '1:a:A>B']);
  });

  it('bounces once for a three-host rotation', () => {
    const full = { memoryMb: 8192 };
    const inv = inventory(
      [host('A', full), host('B', full), host('C', full), host('D')],
      [vm('a', 'A', full), vm('b', 'B', full), vm('c', 'C', full)],
    );
    const { view, moves } = targets(inv, { 'id-a': 'B', 'id-b': 'C', 'id-c': 'A' });
    const s = scheduleWaves(view, moves);
    expect(s.bounces).toBe(1);
    expect(s.legs).toHaveLength(4);
    expect(verifyPlan(inv, asPlan(inv, view, s.legs)).ok).toBe(true);
  });

  it('drops what no third host can unblock and says why', () => {
    const inv = inventory(
      [host('A', { memoryMb: 8192 }), host('B', { memoryMb: 8192 })],
      [vm('a', 'A', { memoryMb: 8192 }), vm('b', 'B', { memoryMb: 8192 })],
    );
    const { view, moves } = targets(inv, { 'id-a': 'B', 'id-b': 'A' });
    const s = scheduleWaves(view, moves);
    expect(s.legs).toEqual([]);
    expect(s.dropped.map((d) => d.code)).toEqual(['NO_CAPACITY', 'NO_CAPACITY']);
    expect(s.dropped[0].detail).toMatch(/lacks 4096 MB memory|lacks 8192 MB memory/);
  });

  it('never sends anything to a host that is already over capacity', () => {
    const inv = inventory(
      [host('A', { memoryMb: 8192 }), host('B')],
      [vm('a1', 'A', { memoryMb: 8192 }), vm('a2', 'A', { memoryMb: 4096 }), vm('b', 'B', { memoryMb: 1024 })],
    );
    const { view, moves } = targets(inv, { 'id-b': 'A' });
    const s = scheduleWaves(view, moves);
    expect(s.legs).toEqual([]);
    expect(s.dropped).toHaveLength(1);
  });

  it('is deterministic', () => {
    const inv = scenario('swap-needs-bounce');
    const ids = inv.instances.map((i) => i.id);
    const want = { [ids[0]]: 'sw-b', [ids[2]]: 'sw-a' };
    const one = targets(inv, want);
    const two = targets(inv, want);
    expect(scheduleWaves(one.view, one.moves)).toEqual(scheduleWaves(two.view, two.moves));
  });
});
