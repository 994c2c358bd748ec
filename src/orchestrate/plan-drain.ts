/**
 * Planning policy shared by the drain command, re-planning after failures and (through the same
 * functions) the HTTP service: hosts in maintenance are never targets, the planner settings come
 * from configuration, and planning is seeded so the same inventory gives the same plan.
 */
import type { Clock } from '../../executor/clock.js';
import type { ExecutorStore } from '../../executor/store.js';
import { plan, type Exclusion, type Inventory, type Plan, type PlanRequest } from '../../planner/index.js';

export interface PlanningSettings {
  /** Completion timeout per GiB copied. @default 800 */
  timeoutPerGiBSeconds?: number;
  /** @default 'auto' */
  method?: 'auto' | 'heuristic' | 'exact';
  /** Fixed cost of one migration in seconds, for balance. @default 15 */
  migrationOverheadSeconds?: number;
}

export interface PlanContext {
  store: ExecutorStore | null;
  clock: Clock;
  planner?: PlanningSettings;
}

/** Hosts in maintenance, except those held by `ownPlanIds` (the drain being planned holds its own). */
export function maintenanceHosts(store: ExecutorStore | null, ownPlanIds: readonly (string | null)[] = []): string[] {
  if (!store) return [];
  return store
    .listMaintenance()
    .filter((m) => m.planId === null || !ownPlanIds.includes(m.planId))
    .map((m) => m.host);
}

/** Plans `request` on `inventory`, never targeting hosts in maintenance. */
export function planRequest(
  ctx: PlanContext,
  inventory: Inventory,
  request: PlanRequest,
  extra: { exclusions?: Exclusion[]; ownPlanIds?: string[]; avoidHosts?: string[] } = {},
): Plan {
  const avoidHosts = [...new Set([...maintenanceHosts(ctx.store, extra.ownPlanIds), ...(extra.avoidHosts ?? [])])];
  return plan(inventory, request, {
    timeoutPerGiBSeconds: ctx.planner?.timeoutPerGiBSeconds,
    method: ctx.planner?.method,
    migrationOverheadSeconds: ctx.planner?.migrationOverheadSeconds,
    avoidHosts,
    exclusions: extra.exclusions,
    seed: 1,
    now: () => ctx.clock.now(),
  });
}

/** The request that produced `plan` (same goal and target), for planning again from a new snapshot. */
export function requestOf(p: Plan): PlanRequest {
  return p.goal === 'drain'
    ? { goal: 'drain', hosts: p.target.hosts ?? [] }
    : { goal: 'balance', cells: p.target.cells ?? [] };
}
