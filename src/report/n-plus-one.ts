/**
 * N+1: for every host of a cell, could it be drained right now? Quick proofs (the planner's quick drain)
 * decide most hosts in well under a millisecond; the full drain planner runs only where neither
 * proof applies, within a work budget, and its `unplaced` entries say what blocks the host.
 * The budget counts work units, never time, so the same inventory always gets the same answer.
 */
import { performance } from 'node:perf_hooks';
import type { Host, Instance, Inventory } from '../../planner/index.js';
import type { BoundPlanners } from '../orchestrate/bound-planners.js';
import type { DrainCheck, NPlusOneSummary } from './model.js';

export interface NPlusOneOptions {
  /** The drain planner and the quick proofs, bound to the lifecycle's rules (hosts in maintenance avoided). */
  planners: Pick<BoundPlanners, 'drain' | 'quickDrain'>;
  /**
   * Work budget for full planner runs in this cell, in work units (see `drainWork`); once spent,
   * later hosts stay undecided.
   */
  plannerBudget: number;
}

/**
 * Work units one full drain-planner run is charged: the unit-host pairs its placement considers
 * (instances on the drained host x other hosts of the cell), at least 1. Deterministic: it depends
 * on the inventory only, never on machine load.
 */
export function drainWork(cell: Inventory, host: Host): number {
  const instances = cell.instances.filter((i) => i.host === host.name).length;
  return Math.max(1, instances * Math.max(1, cell.hosts.length - 1));
}

/** The cell alone: a drain never leaves its cell, so the planner needs nothing else. */
export function cellInventory(
  inventory: Inventory,
  hosts: readonly Host[],
  byHost: ReadonlyMap<string, Instance[]>,
): Inventory {
  return {
    hosts: [...hosts],
    instances: hosts.flatMap((h) => byHost.get(h.name) ?? []),
    serverGroups: inventory.serverGroups,
  };
}

function viaPlanner(cell: Inventory, host: Host, opts: NPlusOneOptions): DrainCheck {
  try {
    const result = opts.planners.drain(cell, host.name);
    const blockers = result.unplaced.map((u) => ({
      instance: u.instance,
      name: u.name,
      code: u.code,
      reason: u.reason,
    }));
    const extra = result.feasible ? (result.metrics.extraMoves ?? 0) : 0;
    return { drainable: result.feasible, method: 'planner', blockers, ...(extra > 0 ? { extraMoves: extra } : {}) };
  } catch (err) {
    const reason = `drain planner failed: ${(err as Error)?.message ?? String(err)}`;
    return {
      drainable: null,
      method: 'planner',
      blockers: [{ instance: '', name: '', code: 'PLANNER_ERROR', reason }],
    };
  }
}

const notChecked = (cost: number, left: number, budget: number): DrainCheck => ({
  drainable: null,
  method: 'none',
  blockers: [
    {
      instance: '',
      name: '',
      code: 'NOT_CHECKED',
      reason:
        `no quick proof either way, and a drain-planner run (${cost} work units) would exceed what is left ` +
        `of this cell's budget (${left} of ${budget} work units)`,
    },
  ],
});

/** Decides every host of one cell. Returns the checks by host name and a summary with timing. */
export function nPlusOne(
  inventory: Inventory,
  cellHosts: readonly Host[],
  byHost: ReadonlyMap<string, Instance[]>,
  opts: NPlusOneOptions,
): { checks: Map<string, DrainCheck>; summary: NPlusOneSummary } {
  const start = performance.now();
  const cell = cellInventory(inventory, cellHosts, byHost);
  const quick = opts.planners.quickDrain(cell);
  const checks = new Map<string, DrainCheck>();
  let spent = 0;
  for (const host of cellHosts) {
    const answer = quick.check(host.name);
    if (answer.kind !== 'unknown') {
      const drainable = answer.kind === 'drainable';
      checks.set(host.name, { drainable, method: 'quick', blockers: drainable ? [] : answer.blockers });
      continue;
    }
    const cost = drainWork(cell, host);
    if (spent + cost > opts.plannerBudget) {
      checks.set(host.name, notChecked(cost, opts.plannerBudget - spent, opts.plannerBudget));
      continue;
    }
    spent += cost;
    checks.set(host.name, viaPlanner(cell, host, opts));
  }
  return { checks, summary: summarise(checks, performance.now() - start) };
}

function summarise(checks: ReadonlyMap<string, DrainCheck>, ms: number): NPlusOneSummary {
  const s: NPlusOneSummary = { drainable: 0, notDrainable: 0, undecided: 0, quick: 0, planner: 0, ms: Math.round(ms) };
  for (const c of checks.values()) {
    if (c.drainable === true) s.drainable++;
    else if (c.drainable === false) s.notDrainable++;
    else s.undecided++;
    if (c.method === 'quick') s.quick++;
    else if (c.method === 'planner') s.planner++;
  }
  return s;
}
