/**
 * Balance: evens out load inside each cell with as few GiB of migration traffic as possible.
 *
 * Per cell, over the hosts that take part (enabled, up, not in `avoidHosts`): first shed
 * instances from hosts above capacity, then improve the objective of balance/objective.ts
 * (coefficient of variation and peak of memory allocation and of measured CPU utilisation, plus
 * soft server-group penalties) one move or exchange at a time, taking the best gain per GiB,
 * until the imbalance is below `threshold`, `maxMoves` is reached or nothing is worth its GiB.
 * waves.ts then orders the moves safely (bouncing through a third host to break exchanges).
 */
import type { Inventory } from '../model/inventory.js';
import type { Plan, Unplaced } from '../model/plan.js';
import type { BalanceRequest, PlannerOptions } from '../model/options.js';
import type { ClusterView } from '../constraints/view.js';
import { buildView } from '../constraints/view.js';
import { migrationMode } from '../estimate.js';
import { planMetrics } from '../metrics.js';
import type { TargetMove, WaveSchedule } from '../waves.js';
import { scheduleWaves } from '../waves.js';
import type { Fixed } from '../balance/placement.js';
import { CellPlacement } from '../balance/placement.js';
import { repairOverCapacity } from '../balance/repair.js';
import { improve } from '../balance/search.js';
import { finalLocations, objectiveOf, toMove, toUnplaced } from '../balance/assemble.js';

/** Default imbalance threshold (see BalanceRequest.threshold). */
export const DEFAULT_THRESHOLD = 0.1;
/** Priority of over-capacity repairs over balancing moves when waves must drop something. */
const REPAIR_PRIORITY = 1e9;

function fixedReason(view: ClusterView, i: number, frozen: ReadonlySet<string>): Fixed | null {
  const inst = view.instances[i];
  const mode = migrationMode(inst);
  if (!mode.mode) return { code: mode.code, reason: mode.reason };
  if (frozen.has(inst.id))
    return { code: 'EXCLUDED', reason: `instance ${inst.name} moved recently and is frozen (anti-oscillation)` };
  const g = inst.serverGroup;
  if (g && view.groupPolicy.get(g) === 'affinity') {
    return {
      code: 'SERVER_GROUP',
      reason: `instance ${inst.name} is in affinity group ${g}; balance keeps the group where it is`,
    };
  }
  return null;
}

function participants(view: ClusterView, cell: string): number[] {
  return (view.hostsByCell.get(cell) ?? []).filter(
    (h) => view.hosts[h].enabled && view.hosts[h].state === 'up' && !view.avoided[h],
  );
}

/** Schedules, then drops the least valuable targets until the plan fits `maxMoves` legs. */
function scheduleWithin(
  view: ClusterView,
  targets: TargetMove[],
  maxMoves: number,
): { schedule: WaveSchedule; cut: TargetMove[] } {
  let kept = targets;
  let schedule = scheduleWaves(view, kept);
  while (schedule.legs.length > maxMoves && kept.length) {
    const excess = schedule.legs.length - maxMoves;
    kept = [...kept].sort((a, b) => b.priority - a.priority).slice(0, Math.max(0, kept.length - excess));
    schedule = scheduleWaves(view, kept);
  }
  const keptSet = new Set(kept);
  return { schedule, cut: targets.filter((t) => !keptSet.has(t)) };
}

/** Evens out load inside each requested cell (all cells when none are named). */
export function planBalance(inventory: Inventory, request: BalanceRequest, options: PlannerOptions): Plan {
  const view = buildView(inventory, { avoidHosts: options.avoidHosts, exclusions: options.exclusions });
  const cells = request.cells?.length ? [...request.cells] : [...view.hostsByCell.keys()].sort();
  const frozen = new Set(request.frozenInstances ?? []);
  const maxMoves = request.maxMoves ?? Infinity;
  const threshold = request.threshold ?? DEFAULT_THRESHOLD;
  const unplaced: Unplaced[] = [];
  const targets: TargetMove[] = [];
  const cellHosts: number[][] = [];
  let order = 0;
  for (const cell of cells) {
    const hosts = participants(view, cell);
    cellHosts.push(hosts);
    const p = new CellPlacement(view, hosts, (i) => fixedReason(view, i, frozen));
    for (const f of repairOverCapacity(p))
      unplaced.push(
        toUnplaced(view, f.instance, f.code, `${view.hosts[f.host].name} is over capacity and ${f.reason}`),
      );
    const repairs = p.moved.length;
    improve(p, { threshold, maxMoves: maxMoves - targets.length }); // p.moved already counts the repairs
    p.targets().forEach((t, k) => {
      targets.push({ ...t, priority: (k < repairs ? REPAIR_PRIORITY : 0) - order++ });
    });
  }
  const { schedule, cut } = scheduleWithin(view, targets, maxMoves);
  for (const d of schedule.dropped) {
    const t = targets.find((x) => x.instance === d.instance)!;
    if (t.priority > 0) unplaced.push(toUnplaced(view, d.instance, d.code, d.detail));
  }
  for (const t of cut)
    if (t.priority > 0)
      unplaced.push(
        toUnplaced(view, t.instance, 'MOVE_LIMIT', `maxMoves ${maxMoves} reached before this over-capacity repair`),
      );
  const moves = schedule.legs.map((leg) => toMove(view, leg, options));
  const loc = finalLocations(view, schedule.legs);
  let objective = 0;
  let lowerBound = 0;
  for (const hosts of cellHosts) {
    const o = objectiveOf(view, hosts, loc, threshold);
    objective += o.value;
    lowerBound += o.lowerBound;
  }
  const metrics = planMetrics(inventory, moves, { method: 'balance-greedy-gain-per-gib+swaps', objective, lowerBound });
  return { goal: 'balance', target: { cells }, feasible: unplaced.length === 0, moves, unplaced, metrics };
}
