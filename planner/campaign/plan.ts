/**
 * Campaign planning: choose the steps of a rolling maintenance and every move of each step.
 *
 * Cells are independent (no move crosses a cell), so each cell's targets are sequenced on their
 * own and step k of the campaign is the k-th batch of every cell: the campaign takes
 * max over cells of ceil(targets / maxUnavailable) steps. Inside a cell each batch is the
 * `maxUnavailable` remaining targets with the fewest GiB to move now (the first step starts where
 * the least has to move, and a host that received instances in an earlier step goes later), and
 * its drain prefers hosts that will not be drained later (step.ts). An infeasible step keeps its
 * `unplaced` and the campaign goes on from the state it left.
 */
import type { Inventory } from '../model/inventory.js';
import type { PlannerOptions } from '../model/options.js';
import type { Unplaced } from '../model/plan.js';
import type { CampaignMetrics, CampaignPlan, CampaignRequest, CampaignStep } from '../model/campaign.js';
import { migrationMode, moveGib } from '../estimate.js';
import { UnknownHostError } from '../strategies/drain.js';
import { applyMoves, createState, type CampaignState } from './state.js';
import { planStep, type StepContext } from './step.js';

/** Default `maxUnavailable`. */
export const DEFAULT_MAX_UNAVAILABLE = 1;

/** The target hosts in inventory order: the named hosts, or every enabled, up host of the cells. */
export function campaignTargets(inventory: Inventory, request: CampaignRequest): string[] {
  const known = new Set(inventory.hosts.map((h) => h.name));
  for (const h of request.hosts ?? []) if (!known.has(h)) throw new UnknownHostError(h);
  const named = new Set(request.hosts ?? []);
  const cells = new Set(request.cells ?? []);
  return inventory.hosts
    .filter((h) => named.has(h.name) || (cells.has(h.cell) && h.enabled && h.state === 'up'))
    .map((h) => h.name);
}

export function eligibleIn(state: CampaignState, cell: string, options: PlannerOptions): number[] {
  const avoid = new Set(options.avoidHosts ?? []);
  const out: number[] = [];
  state.inventory.hosts.forEach((h, k) => {
    if (h.cell === cell && h.enabled && h.state === 'up' && !avoid.has(h.name)) out.push(k);
  });
  return out;
}

/** The `n` remaining hosts with the fewest GiB to move (ties: inventory order). */
function nextBatch(state: CampaignState, remaining: ReadonlySet<number>, n: number): number[] {
  const chosen: number[] = [];
  const gib = state.movableGib;
  // n is small: n passes of a linear scan beat sorting every remaining host each step.
  for (let pass = 0; pass < n && chosen.length < remaining.size; pass++) {
    let best = -1;
    for (const k of remaining) {
      if (chosen.includes(k)) continue;
      if (best < 0 || gib[k] < gib[best] - 1e-9 || (Math.abs(gib[k] - gib[best]) <= 1e-9 && k < best)) best = k;
    }
    chosen.push(best);
  }
  return chosen.sort((a, b) => a - b);
}

function sequenceCell(ctx: StepContext, targets: number[], n: number): CampaignStep[] {
  const remaining = new Set(targets);
  const steps: CampaignStep[] = [];
  while (remaining.size > 0) {
    const batch = nextBatch(ctx.state, remaining, n);
    for (const k of batch) remaining.delete(k);
    const result = planStep(ctx, batch, (k) => !remaining.has(k));
    applyMoves(ctx.state, result.moves);
    steps.push({
      hosts: batch.map((k) => ctx.state.inventory.hosts[k].name),
      moves: result.moves,
      unplaced: result.unplaced,
      gibToCopy: round(result.moves.reduce((g, m) => g + m.gib, 0)),
    });
  }
  return steps;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Step k of the campaign: the k-th step of every cell (cells never share hosts or moves). */
function zip(perCell: CampaignStep[][]): CampaignStep[] {
  const count = Math.max(0, ...perCell.map((s) => s.length));
  const out: CampaignStep[] = [];
  for (let k = 0; k < count; k++) {
    const parts = perCell.map((s) => s[k]).filter((s) => s !== undefined);
    out.push({
      hosts: parts.flatMap((p) => p.hosts),
      moves: parts.flatMap((p) => p.moves),
      unplaced: parts.flatMap((p) => p.unplaced),
      gibToCopy: round(parts.reduce((g, p) => g + p.gibToCopy, 0)),
    });
  }
  return out;
}

function metricsOf(inventory: Inventory, targets: ReadonlySet<string>, steps: CampaignStep[]): CampaignMetrics {
  let lowerBound = 0;
  for (const inst of inventory.instances) {
    if (!targets.has(inst.host)) continue;
    const d = migrationMode(inst);
    if (d.mode !== null) lowerBound += moveGib(inst, d.mode);
  }
  const firstStep = new Map<string, number>();
  const multi = new Set<string>();
  let moves = 0;
  let gib = 0;
  let repeatGib = 0;
  steps.forEach((step, k) => {
    for (const m of step.moves) {
      moves++;
      gib += m.gib;
      const first = firstStep.get(m.instance);
      if (first === undefined) firstStep.set(m.instance, k);
      else if (first < k) {
        multi.add(m.instance);
        repeatGib += m.gib;
      }
    }
  });
  return {
    moves,
    gibToCopy: round(gib),
    instancesMovedTwiceOrMore: multi.size,
    lowerBoundGib: round(lowerBound),
    steps: steps.length,
    repeatGib: round(repeatGib),
  };
}

/** Plans a rolling maintenance campaign (not verified here: see planner/index.ts). */
export function planCampaign(inventory: Inventory, request: CampaignRequest, options: PlannerOptions): CampaignPlan {
  const n = request.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE;
  const targets = campaignTargets(inventory, request);
  const state = createState(inventory);
  const cells = new Map<string, number[]>();
  for (const name of targets) {
    const k = state.hostIndex.get(name)!;
    const cell = inventory.hosts[k].cell;
    const list = cells.get(cell);
    if (list) list.push(k);
    else cells.set(cell, [k]);
  }
  const perCell = [...cells].map(([cell, hosts]) =>
    sequenceCell({ state, options, eligible: eligibleIn(state, cell, options) }, hosts, n),
  );
  const steps = zip(perCell);
  const unplaced: Unplaced[] = steps.flatMap((s) => s.unplaced);
  const target: CampaignPlan['target'] = { hosts: targets, maxUnavailable: n };
  if (request.cells?.length) target.cells = [...request.cells];
  return {
    goal: 'maintenance',
    target,
    feasible: unplaced.length === 0,
    steps,
    unplaced,
    metrics: metricsOf(inventory, new Set(targets), steps),
  };
}
