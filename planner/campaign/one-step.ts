/**
 * One step of a campaign planned on its own, from a fresh inventory, as a drain plan: what the
 * service runs just before each step starts (instances come and go during a long campaign). The
 * campaign's order is kept by the caller (it names the step's hosts); the preference for hosts
 * that will not be drained later is kept by naming those (`later`).
 */
import type { Inventory } from '../model/inventory.js';
import type { PlannerOptions } from '../model/options.js';
import type { Plan } from '../model/plan.js';
import { planMetrics } from '../metrics.js';
import { createState } from './state.js';
import { planStep, type StepResult } from './step.js';
import { eligibleIn } from './plan.js';
import { UnknownHostError } from '../strategies/drain.js';

export interface StepRequest {
  /** The step's hosts (drained together). */
  hosts: string[];
  /** Target hosts of later steps: they may receive, but only when nothing else can. */
  later?: string[];
}

/** A drain plan of the step's hosts, preferring destinations outside `later`; not verified here. */
export function planOneStep(inventory: Inventory, request: StepRequest, options: PlannerOptions): Plan {
  const state = createState(inventory);
  const later = new Set<number>();
  for (const name of request.later ?? []) {
    const k = state.hostIndex.get(name);
    if (k !== undefined) later.add(k);
  }
  const byCell = new Map<string, number[]>();
  for (const name of request.hosts) {
    const k = state.hostIndex.get(name);
    if (k === undefined) throw new UnknownHostError(name);
    const cell = inventory.hosts[k].cell;
    byCell.set(cell, [...(byCell.get(cell) ?? []), k]);
  }
  const parts: StepResult[] = [...byCell].map(([cell, hosts]) =>
    planStep({ state, options, eligible: eligibleIn(state, cell, options) }, hosts, (k) => !later.has(k)),
  );
  const moves = parts.flatMap((p) => p.moves);
  const unplaced = parts.flatMap((p) => p.unplaced);
  const method = [...new Set(parts.map((p) => p.solve.method))].join(', ') || 'none';
  const objective = Math.max(0, ...parts.map((p) => p.solve.objective));
  const lowerBound = parts.length === 1 ? parts[0].solve.lowerBound : 0;
  return {
    goal: 'drain',
    target: { hosts: [...request.hosts] },
    feasible: unplaced.length === 0,
    moves,
    unplaced,
    metrics: planMetrics(inventory, moves, { method, objective, lowerBound }),
  };
}
