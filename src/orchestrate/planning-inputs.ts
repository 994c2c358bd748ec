/**
 * Every rule that turns a stored request into the planner's inputs, in one function: hosts in
 * maintenance are never targets; a balance leaves the instances on them where they are; a
 * nightly balance also leaves alone instances moved within the cool-down (anti-oscillation);
 * hosts and host/instance pairs that failed are avoided on a re-plan; planning is seeded and
 * runs on the service clock, so the same inventory and state give the same plan.
 */
import { resolveExecutorOptions, type ExecutorOptionsInput } from '../../executor/options.js';
import type { PlanRequestRecord } from '../../executor/store.js';
import type { CampaignRequest, Exclusion, Inventory, PlannerOptions, PlanRequest } from '../../planner/index.js';

/** The planner settings of the configuration (`planner` section). */
export interface PlannerSettings {
  /** Completion timeout per GiB copied. @default 800 */
  timeoutPerGiBSeconds?: number;
  /** @default 'auto' */
  method?: 'auto' | 'heuristic' | 'exact';
  /** Fixed cost of one migration in seconds, for balance. @default 15 */
  migrationOverheadSeconds?: number;
  /** The executor's per-migration bandwidth cap, MiB/s (convergence check). @default 0 (none) */
  migrationBandwidthMiBps?: number;
  /** Migrations sharing one host's link at once (the executor's per-host limits). @default 2 */
  migrationsPerLink?: number;
}

/**
 * The `planner` section plus the executor's migration limits that the convergence check needs
 * (per-migration bandwidth cap, migrations sharing one host's link at once).
 */
export function plannerSettings(planner: PlannerSettings, executor: ExecutorOptionsInput): PlannerSettings {
  const e = resolveExecutorOptions(executor);
  return {
    ...planner,
    migrationBandwidthMiBps: e.bandwidthMiBps,
    migrationsPerLink: Math.min(e.concurrency.perHostOutbound, e.concurrency.perHostInbound),
  };
}

/** The service state planning depends on, read when a plan is made (today's freezes). */
export interface PlanningState {
  /** Hosts in maintenance (any claim: a drain's, an operator's). */
  maintenanceHosts: readonly string[];
  /**
   * Instances whose move succeeded within the cool-down, or is in flight: read only for planning a
   * nightly balance (null when the state was read without it).
   */
  cooledDown: readonly string[] | null;
}

/** What a re-plan adds: what failed last time. */
export interface ReplanExtras {
  exclusions?: Exclusion[];
  avoidHosts?: string[];
}

export interface PlannerInputs {
  request: PlanRequest;
  options: PlannerOptions;
}

const unique = (...lists: (readonly string[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))];

function cooledDownOf(state: PlanningState): readonly string[] {
  if (!state.cooledDown) throw new Error('planning a nightly balance needs the cool-down in the planning state');
  return state.cooledDown;
}

/**
 * The planner options of any planning (plan, campaign, drain proof): avoided hosts, method, seed,
 * clock. `ownHosts`: hosts in maintenance that may still receive instances (a campaign's).
 */
function optionsOf(
  method: PlannerSettings['method'],
  state: PlanningState,
  settings: PlannerSettings,
  now: () => number,
  extra: ReplanExtras,
  ownHosts: readonly string[] = [],
): PlannerOptions {
  const own = new Set(ownHosts);
  const avoidHosts = unique(
    state.maintenanceHosts.filter((h) => !own.has(h)),
    extra.avoidHosts,
  );
  return {
    timeoutPerGiBSeconds: settings.timeoutPerGiBSeconds,
    method,
    migrationOverheadSeconds: settings.migrationOverheadSeconds,
    migrationBandwidthMiBps: settings.migrationBandwidthMiBps,
    migrationsPerLink: settings.migrationsPerLink,
    avoidHosts,
    exclusions: extra.exclusions,
    seed: 1,
    now,
  };
}

/**
 * A campaign's own hosts in maintenance: the hosts it names may still receive instances (an
 * operator named them knowing they are in maintenance); hosts of its cells in maintenance do not.
 */
export const campaignOwnHosts = (request: CampaignRequest): readonly string[] => request.hosts ?? [];

/** The planner options of a campaign forecast or of one of its steps' drains. */
export function campaignOptions(
  request: CampaignRequest,
  state: PlanningState,
  settings: PlannerSettings,
  now: () => number,
): PlannerOptions {
  return optionsOf(settings.method, state, settings, now, {}, campaignOwnHosts(request));
}

/**
 * The one place where freezes and avoidances are decided. Hosts in maintenance are avoided except
 * those the stored request owns (a campaign step's `ownHosts`).
 */
export function plannerInputs(
  inventory: Inventory,
  stored: PlanRequestRecord,
  state: PlanningState,
  settings: PlannerSettings,
  now: () => number,
  extra: ReplanExtras = {},
): PlannerInputs {
  const options = optionsOf(stored.method ?? settings.method, state, settings, now, extra, stored.ownHosts);
  if (stored.goal === 'drain') {
    // a campaign step keeps its later hosts, so a re-plan still prefers the others
    const later = stored.later !== undefined ? { later: stored.later } : {};
    return { request: { goal: 'drain', hosts: stored.hosts, ...later }, options };
  }
  const held = new Set(state.maintenanceHosts);
  const frozenInstances = unique(
    stored.frozenInstances,
    inventory.instances.filter((i) => held.has(i.host)).map((i) => i.id),
    stored.source === 'nightly' ? cooledDownOf(state) : [],
  );
  const request: PlanRequest = { goal: 'balance', frozenInstances };
  if (stored.cells !== undefined) request.cells = stored.cells;
  if (stored.threshold !== undefined) request.threshold = stored.threshold;
  if (stored.maxMoves !== undefined) request.maxMoves = stored.maxMoves;
  if (stored.timeBudget !== undefined) request.timeBudget = stored.timeBudget;
  return { request, options };
}

/**
 * The request of a re-plan: the stored one with what is left of its move budget (a balance
 * that allowed 5 moves and made 2 may make 3 more). Freezes are not carried over: the next
 * planning reads today's.
 */
export function remainingRequest(stored: PlanRequestRecord, movesMade: number): PlanRequestRecord {
  if (stored.goal !== 'balance' || stored.maxMoves === undefined) return stored;
  return { ...stored, maxMoves: Math.max(0, stored.maxMoves - movesMade) };
}
