/**
 * Plan + store + execute, wired once for every entry point (CLI drain, HTTP service): an
 * executor whose re-plan function collects a fresh inventory and plans the same goal again,
 * drain plans stored together with the maintenance claim on the drained hosts, and a runner
 * that executes stored plans in the background.
 */
import type { Clock } from '../../executor/clock.js';
import { createExecutor, type Executor } from '../../executor/index.js';
import type { HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { Logger } from '../../executor/logger.js';
import type { ExecutorOptionsInput } from '../../executor/options.js';
import type { ExecutorStore, PlanSource } from '../../executor/store.js';
import type { Inventory, Plan } from '../../planner/index.js';
import { planRequest, type PlanningSettings } from './plan-drain.js';
import { createReplan } from './replan.js';
import { createRunner, type Runner } from './runner.js';
import { storePlan, type StoreResult } from './store-plan.js';

export type { StoreResult } from './store-plan.js';

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

export interface Orchestrator {
  executor: Executor;
  runner: Runner;
  /** Plans draining `hosts` on `inventory`, avoiding hosts in maintenance. */
  planDrain(inventory: Inventory, hosts: string[]): Plan;
  /**
   * Stores a plan; for a drain, atomically with the maintenance claim on the drained hosts (see
   * store-plan.ts: refused, storing nothing, only while an active plan holds one of them).
   */
  storePlan(plan: Plan, source: PlanSource): StoreResult;
}

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const ctx = { store: deps.store, clock: deps.clock, planner: deps.planner };
  const replan = createReplan({ ...ctx, collect: deps.collect });
  const executor = createExecutor({
    hypervisor: deps.hypervisor,
    store: deps.store,
    clock: deps.clock,
    log: deps.log,
    options: deps.executor,
    replan,
    hosts: deps.hosts,
  });
  return {
    executor,
    runner: createRunner(executor, deps.log),
    planDrain: (inventory, hosts) => planRequest(ctx, inventory, { goal: 'drain', hosts }),
    storePlan: (plan, source) => storePlan(deps.store, plan, source, deps.clock.now()),
  };
}
