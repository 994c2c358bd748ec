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
import { withConvergence } from '../convergence.js';
import type { Inventory } from '../model/inventory.js';
import type { Plan, Unplaced } from '../model/plan.js';
import type { BalanceRequest, PlannerOptions } from '../model/options.js';
import type { ClusterView } from '../constraints/view.js';
import { buildView } from '../constraints/view.js';
import { migrationMode, planDurationSeconds } from '../estimate.js';
import { planMetrics } from '../metrics.js';
import type { TargetMove, WaveSchedule } from '../waves.js';
import { scheduleWaves } from '../waves.js';
import type { Fixed } from '../balance/placement.js';
import { CellPlacement, DEFAULT_MIGRATION_OVERHEAD_SECONDS } from '../balance/placement.js';
import type { RepairFailure } from '../balance/repair.js';
import { repairOverCapacity } from '../balance/repair.js';
import type { SearchEnd } from '../balance/search.js';
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

/**
 * Prices (seconds per new migration) the search tries when a budget binds: from ranking by
 * cost alone towards ranking by gain alone, so a small move cap goes to the moves that matter.
 */
const MOVE_PRICES = [0, 30, 90, 270, 810, 2430];

interface Budget {
  moves: number;
  seconds: number;
  moveSeconds: number;
}

interface CellRun {
  p: CellPlacement;
  failures: RepairFailure[];
  repairs: number;
  end: SearchEnd;
}

/** Repair, then balance one cell at one move price. */
function runCell(
  view: ClusterView,
  hosts: number[],
  ctx: BalanceContext,
  budget: Budget,
  price: number,
  single = false,
): CellRun {
  const p = new CellPlacement(view, hosts, (i) => fixedReason(view, i, ctx.frozen), ctx.overhead);
  p.movePrice = price;
  const failures = repairOverCapacity(p);
  const repairs = p.moved.length;
  const end = improve(p, {
    threshold: ctx.threshold,
    maxMoves: budget.moves, // p.moved already counts the repairs
    maxSeconds: budget.seconds,
    maxMoveSeconds: budget.moveSeconds,
    single,
  });
  return { p, failures, repairs, end };
}

/** Of runs that all reached the threshold: the one that spends the fewest migration seconds. */
function cheapest(runs: readonly CellRun[]): CellRun {
  return runs.reduce((a, b) => (b.p.spentSeconds < a.p.spentSeconds - 1e-9 ? b : a));
}

/**
 * Of runs stopped by the budget: the lowest imbalance (the measure the threshold is about, so the
 * plan gets as close to it as the budget allows), then the lowest objective, then the fewest seconds.
 */
function mostEven(runs: readonly CellRun[]): CellRun {
  const key = (r: CellRun) => [r.p.obj.imbalance(), r.p.obj.value(), r.p.spentSeconds];
  const better = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++) if (Math.abs(a[k] - b[k]) > 1e-9) return a[k] < b[k];
    return false;
  };
  return runs.reduce((best, run) => (better(key(run), key(best)) ? run : best));
}

/**
 * The cell's plan within its budget. When the move or time budget stops the search above the
 * threshold, the search is run again at rising prices per migration; if some of those runs reach
 * the threshold within the budget, the one that spends the fewest seconds wins. If none does, the
 * budget really binds: the prices are tried again with best improvement (one move per scan, so
 * every move is chosen against the state the others left) and the most even run wins. Budgets
 * shape the search; they are not a cut.
 */
function planCell(view: ClusterView, hosts: number[], ctx: BalanceContext, budget: Budget): CellRun {
  const first = runCell(view, hosts, ctx, budget, 0);
  if (first.end !== 'budget') return first;
  const runs = [first, ...MOVE_PRICES.slice(1).map((price) => runCell(view, hosts, ctx, budget, price))];
  const reached = runs.filter((r) => r.end === 'threshold');
  if (reached.length) return cheapest(reached);
  for (const price of MOVE_PRICES.slice(1)) runs.push(runCell(view, hosts, ctx, budget, price, true));
  return mostEven(runs);
}

interface BalanceContext {
  frozen: ReadonlySet<string>;
  threshold: number;
  overhead: number;
}

/**
 * Schedules, then drops the least valuable targets until the plan fits `maxMoves` legs (bounces
 * through a third host count twice) and `fitsTime`. The search already planned within both
 * budgets; this only catches what scheduling adds.
 */
function scheduleWithin(
  view: ClusterView,
  targets: TargetMove[],
  maxMoves: number,
  fitsTime: (schedule: WaveSchedule) => boolean,
): { schedule: WaveSchedule; cut: TargetMove[] } {
  let kept = targets;
  let schedule = scheduleWaves(view, kept);
  const byValue = () => [...kept].sort((a, b) => b.priority - a.priority);
  while (schedule.legs.length > maxMoves && kept.length) {
    kept = byValue().slice(0, Math.max(0, kept.length - (schedule.legs.length - maxMoves)));
    schedule = scheduleWaves(view, kept);
  }
  while (!fitsTime(schedule) && kept.length) {
    kept = byValue().slice(0, kept.length - 1);
    schedule = scheduleWaves(view, kept);
  }
  const keptSet = new Set(kept);
  return { schedule, cut: targets.filter((t) => !keptSet.has(t)) };
}

/** Evens out load inside each requested cell (all cells when none are named). */
export function planBalance(inventory: Inventory, request: BalanceRequest, options: PlannerOptions): Plan {
  const view = buildView(inventory, { avoidHosts: options.avoidHosts, exclusions: options.exclusions });
  const cells = request.cells?.length ? [...request.cells] : [...view.hostsByCell.keys()].sort();
  const maxMoves = request.maxMoves ?? Infinity;
  const ctx: BalanceContext = {
    frozen: new Set(request.frozenInstances ?? []),
    threshold: request.threshold ?? DEFAULT_THRESHOLD,
    overhead: options.migrationOverheadSeconds ?? DEFAULT_MIGRATION_OVERHEAD_SECONDS,
  };
  const window = request.timeBudget;
  const maxSeconds = window ? window.seconds * window.concurrency : Infinity;
  const unplaced: Unplaced[] = [];
  const targets: TargetMove[] = [];
  const cellHosts: number[][] = [];
  let order = 0;
  let spent = 0;
  for (const cell of cells) {
    const hosts = participants(view, cell);
    cellHosts.push(hosts);
    const budget = {
      moves: maxMoves - targets.length,
      seconds: maxSeconds - spent,
      moveSeconds: window?.seconds ?? Infinity,
    };
    const { p, failures, repairs } = planCell(view, hosts, ctx, budget);
    for (const f of failures)
      unplaced.push(
        toUnplaced(view, f.instance, f.code, `${view.hosts[f.host].name} is over capacity and ${f.reason}`),
      );
    spent += p.spentSeconds;
    p.targets().forEach((t, k) => {
      targets.push({ ...t, priority: (k < repairs ? REPAIR_PRIORITY : 0) - order++ });
    });
  }
  const fitsTime = (s: WaveSchedule) =>
    !window ||
    planDurationSeconds(
      s.legs.map((leg) => toMove(view, leg, options)),
      window.concurrency,
      ctx.overhead,
    ) <= window.seconds;
  const { schedule, cut } = scheduleWithin(view, targets, maxMoves, fitsTime);
  for (const d of schedule.dropped) {
    const t = targets.find((x) => x.instance === d.instance)!;
    if (t.priority > 0) unplaced.push(toUnplaced(view, d.instance, d.code, d.detail));
  }
  const limit = window ? `maxMoves ${maxMoves} or the time budget` : `maxMoves ${maxMoves}`;
  for (const t of cut)
    if (t.priority > 0)
      unplaced.push(toUnplaced(view, t.instance, 'MOVE_LIMIT', `${limit} reached before this over-capacity repair`));
  const moves = withConvergence(
    schedule.legs.map((leg) => toMove(view, leg, options)),
    new Map(view.instances.map((i) => [i.id, i])),
    new Map(view.hosts.map((h) => [h.name, h])),
    options,
  );
  const loc = finalLocations(view, schedule.legs);
  let objective = 0;
  let lowerBound = 0;
  for (const hosts of cellHosts) {
    const o = objectiveOf(view, hosts, loc, ctx.threshold);
    objective += o.value;
    lowerBound += o.lowerBound;
  }
  const metrics = planMetrics(inventory, moves, { method: 'balance-gain-per-second+swaps', objective, lowerBound });
  return { goal: 'balance', target: { cells }, feasible: unplaced.length === 0, moves, unplaced, metrics };
}
