/**
 * The re-plan function handed to the executor: after failed moves it collects a fresh inventory
 * and plans the same goal again, excluding what failed and every host in maintenance (except
 * that the drained hosts stay drained: they are the plan's target, never a destination).
 */
import type { ReplanFn } from '../../executor/context.js';
import type { Inventory, Plan } from '../../planner/index.js';
import { maintenanceHosts, planRequest, requestOf, type PlanContext } from './plan-drain.js';

export interface ReplanDeps extends PlanContext {
  /** Collects a fresh inventory (never a cached one: the world just changed). */
  collect: (signal?: AbortSignal) => Promise<Inventory>;
  /** Called with every new plan, e.g. for logging. */
  onReplan?: (info: { supersedes: string; plan: Plan }) => void;
}

export function createReplan(deps: ReplanDeps): ReplanFn {
  return async ({ planId, exclusions, avoidHosts }) => {
    const old = deps.store?.getPlan(planId);
    if (!old) throw new Error(`cannot re-plan: plan ${planId} is not in the store`);
    const inventory = await deps.collect();
    const avoid = [...new Set([...avoidHosts, ...maintenanceHosts(deps.store)])];
    const next = planRequest({ ...deps, store: null }, inventory, requestOf(old.plan), {
      exclusions,
      avoidHosts: avoid,
    });
    deps.onReplan?.({ supersedes: planId, plan: next });
    return next;
  };
}
