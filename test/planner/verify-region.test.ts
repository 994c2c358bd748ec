/**
 * The verifier and the metrics stay linear: a region-sized inventory (100k instances, 2,000
 * hosts) with 3,000 moves is checked well within interactive time, even on a busy CI machine.
 */
import { describe, expect, it } from 'vitest';
import { verifyPlan } from '../../planner/verify/verify.js';
import { planMetrics } from '../../planner/metrics.js';
import type { Instance } from '../../planner/model/inventory.js';
import { drainPlan, host, inventory, move, vm } from './support/tiny.js';

const HOSTS = 2000;
const PER_HOST = 50;
const CELL_SIZE = 400;

function region() {
  const hosts = Array.from({ length: HOSTS }, (_, k) =>
    host(`r${k}`, { cell: `cell${Math.floor(k / CELL_SIZE)}`, vcpus: 256, cpuAllocationRatio: 4, memoryMb: 1 << 20, diskGb: 10000 }),
  );
  const instances: Instance[] = [];
  for (let h = 0; h < HOSTS; h++) {
    for (let j = 0; j < PER_HOST; j++) instances.push(vm(`i-${h}-${j}`, `r${h}`, { storage: j % 5 === 0 ? 'local' : 'shared', serverGroup: null }));
  }
  return inventory(hosts, instances);
}

describe('verifier speed', () => {
  it('verifies 3,000 moves over 100k instances in under 1.5 s and computes metrics in under 1 s', () => {
    const inv = region();
    const byId = new Map(inv.instances.map((i) => [i.id, i]));
    const moves = Array.from({ length: 3000 }, (_, j) => {
      const h = j % HOSTS;
      const inst = byId.get(`i-${h}-${Math.floor(j / HOSTS) + 1}`)!;
      const cellStart = Math.floor(h / CELL_SIZE) * CELL_SIZE;
      return move(inst, `r${h}`, `r${cellStart + ((h - cellStart + 7) % CELL_SIZE)}`, j % 3);
    });
    const plan = drainPlan([], moves, { goal: 'balance', target: { cells: [] } });
    const t0 = performance.now();
    const result = verifyPlan(inv, plan);
    const t1 = performance.now();
    const metrics = planMetrics(inv, moves, { method: 'test', objective: 0, lowerBound: 0 });
    const t2 = performance.now();
    expect(result.violations).toEqual([]);
    expect(metrics.moves).toBe(3000);
    expect(metrics.waves).toBe(3);
    expect(t1 - t0).toBeLessThan(1500);
    expect(t2 - t1).toBeLessThan(1000);
  });
});
