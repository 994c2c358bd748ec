/**
 * The maintenance rule, one implementation for the API and the CLI: a drain is refused only while
 * a host is being drained, i.e. held by an active plan (planned, running, cancelling). A host whose
 * earlier drain ended, or that an operator put in maintenance, may be drained again and the new
 * plan takes the claim. Hosts in maintenance are never targets (planRequest's avoidHosts).
 */
import { randomUUID } from 'node:crypto';
import type { CreateClaimingResult, ExecutorStore, MaintenanceRecord, PlanSource } from '../../executor/store.js';
import { ACTIVE_PLAN_STATUSES } from '../../executor/store.js';
import type { Plan } from '../../planner/index.js';

export type StoreResult = CreateClaimingResult;

/** Claims on `hosts` held by an active plan: the ones that refuse a drain (a cheap early check). */
export function activeHolders(store: ExecutorStore, hosts: readonly string[]): MaintenanceRecord[] {
  return store.listMaintenance().filter((m) => {
    if (!hosts.includes(m.host) || m.planId === null) return false;
    const status = store.getPlan(m.planId)?.status;
    return status !== undefined && ACTIVE_PLAN_STATUSES.includes(status);
  });
}

/**
 * Stores `plan`; a drain atomically together with the claim on its drained hosts (the store
 * settles racing drains: exactly one wins). Refused (`heldBy`) only by an active plan's claim.
 */
export function storePlan(
  store: ExecutorStore,
  plan: Plan,
  source: PlanSource,
  at: number,
  id: string = randomUUID(),
): StoreResult {
  const drained = plan.goal === 'drain' ? (plan.target.hosts ?? []) : [];
  return store.createPlanClaiming({ id, plan, source, at }, drained);
}
