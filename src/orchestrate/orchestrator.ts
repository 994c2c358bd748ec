/**
 * Plan + store + execute, wired once for every entry point (CLI drain, HTTP service): an
 * executor whose re-plan function collects a fresh inventory and plans the same goal again,
 * drain plans stored together with the maintenance claim on the drained hosts, and a runner
 * that executes stored plans in the background.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../executor/clock.js';
import { createExecutor, type Executor } from '../../executor/index.js';
import type { HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { Logger } from '../../executor/logger.js';
import type { ExecutorOptionsInput } from '../../executor/options.js';
import type { ExecutorStore, MaintenanceRecord, PlanRecord, PlanSource } from '../../executor/store.js';
import { FINAL_PLAN_STATUSES } from '../../executor/store.js';
import type { Inventory, Plan } from '../../planner/index.js';
import { planRequest, type PlanningSettings } from './plan-drain.js';
import { createReplan } from './replan.js';
import { createRunner, type Runner } from './runner.js';

export interface OrchestratorDeps {
  hypervisor: Hypervisor;
  hosts: HostConfig[];
  store: ExecutorStore;
  clock: Clock;
  /** Fresh inventory for re-planning. */
  collect: (signal?: AbortSignal) => Promise<Inventory>;
  log?: Logger;
  planner?: PlanningSettings;
  executor?: ExecutorOptionsInput;
}

export type StoreResult = { ok: true; record: PlanRecord } | { ok: false; heldBy: MaintenanceRecord[] };

export interface Orchestrator {
  executor: Executor;
  runner: Runner;
  /** Plans draining `hosts` on `inventory`, avoiding hosts in maintenance. */
  planDrain(inventory: Inventory, hosts: string[]): Plan;
  /**
   * Stores a plan; for a drain, first puts the drained hosts in maintenance for it. Claims left
   * by manual maintenance or by plans that have ended are taken over; a claim held by a plan that
   * is still planned or running refuses (`heldBy`), and nothing is stored.
   */
  storePlan(plan: Plan, source: PlanSource): StoreResult;
}

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const ctx = { store: deps.store, clock: deps.clock, planner: deps.planner };
  const replan = createReplan({ ...ctx, collect: deps.collect });
  const executor = createExecutor({
    hypervisor: deps.hypervisor, store: deps.store, clock: deps.clock, log: deps.log,
    options: deps.executor, replan, hosts: deps.hosts,
  });
  return {
    executor,
    runner: createRunner(executor, deps.log),
    planDrain: (inventory, hosts) => planRequest(ctx, inventory, { goal: 'drain', hosts }),
    storePlan: (plan, source) => storePlan(deps.store, deps.clock, plan, source),
  };
}

function storePlan(store: ExecutorStore, clock: Clock, plan: Plan, source: PlanSource): StoreResult {
  const id = randomUUID();
  const at = clock.now();
  const drained = plan.goal === 'drain' ? (plan.target.hosts ?? []) : [];
  if (drained.length) {
    const held = store.listMaintenance().filter((m) => drained.includes(m.host));
    const live = held.filter((m) => m.planId && !FINAL_PLAN_STATUSES.includes(store.getPlan(m.planId)?.status ?? 'failed'));
    if (live.length) return { ok: false, heldBy: live };
    for (const m of held) store.releaseMaintenance(m.host, at);
    const claim = store.claimMaintenance(drained, { reason: 'drain', planId: id, at });
    if (!claim.ok) return { ok: false, heldBy: claim.heldBy };
  }
  return { ok: true, record: store.createPlan({ id, plan, source, at }) };
}
