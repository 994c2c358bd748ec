/**
 * Baseline for drain benchmarks: each instance, in inventory order, goes to the first host in
 * inventory order that passes every rule (what a naive scheduler does). Measured with the
 * planner's own objective (peak utilisation over receiving hosts) so the numbers compare.
 */
import type { Inventory } from '../planner/index.js';
import { buildView, checkTarget, createUsage, addInstance } from '../planner/constraints/index.js';
import { migrationMode } from '../planner/estimate.js';
import { hostPeak } from '../planner/solvers/problem.js';

export interface BaselineResult {
  placed: number;
  unplaced: number;
  peak: number;
}

export function firstFitDrain(inventory: Inventory, drained: string[]): BaselineResult {
  const view = buildView(inventory, { drained });
  const s = createUsage(view);
  const receivers = new Set<number>();
  let placed = 0;
  let unplaced = 0;
  for (const name of drained) {
    for (const i of view.instancesByHost[view.hostIndex.get(name)!]) {
      if (migrationMode(view.instances[i]).mode === null) {
        unplaced++;
        continue;
      }
      const cell = view.hostsByCell.get(view.hosts[view.hostIndex.get(name)!].cell)!;
      const h = cell.find((k) => checkTarget(view, i, k, s).ok);
      if (h === undefined) unplaced++;
      else {
        addInstance(view, s, i, h);
        receivers.add(h);
        placed++;
      }
    }
  }
  let peak = 0;
  for (const h of receivers) peak = Math.max(peak, hostPeak(view, s, h));
  return { placed, unplaced, peak };
}
