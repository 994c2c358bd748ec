/**
 * The verifier and the metrics on a region-sized inventory (100k instances, 2,000 hosts) with
 * 3,000 moves in 3 waves: a valid plan is accepted whole. Their speed is measured by
 * `npm run bench -- planner`, not asserted here.
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
    host(`r${k}`, {
      cell: `cell${Math.floor(k / CELL_SIZE)}`,
      vcpus: 256,
      cpuAllocationRatio: 4,
      memoryMb: 1 << 20,
      diskGb: 10000,
    }),
  );
  const instances: Instance[] = [];
  for (let h = 0; h < HOSTS; h++) {
    for (let j = 0; j < PER_HOST; j++)
      instances.push(vm(`i-${h}-${j}`, `r${h}`, { storage: j % 5 === 0 ? 'local' : 'shared', serverGroup: null }));
  }
  return inventory(hosts, instances);
}

describe('verifier speed', () => {
  it('accepts 3,000 valid moves over 100k instances and counts them in the metrics', () => {
    const inv = region();
    const byId = new Map(inv.instances.map((i) => [i.id, i]));
    const moves = Array.from({ length: 3000 }, (_, j) => {
      const h = j % HOSTS;
      const inst = byId.get(`i-${h}-${Math.floor(j / HOSTS) + 1}`)!;
      const cellStart = Math.floor(h / CELL_SIZE) * CELL_SIZE;
      return move(inst, `r${h}`, `r${cellStart + ((h - cellStart + 7) % CELL_SIZE)}`, j % 3);
    });
    const plan = drainPlan([], moves, { goal: 'balance', target: { cells: [] } });
    const result = verifyPlan(inv, plan);
    const metrics = planMetrics(inv, moves, { method: 'test', objective: 0, lowerBound: 0 });
    expect(result.violations).toEqual([]);
    expect(metrics.moves).toBe(3000);
    expect(metrics.waves).toBe(3);
  });
});
