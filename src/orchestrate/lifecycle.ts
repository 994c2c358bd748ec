/**
 * The plan lifecycle: what a plan is and how it lives, for every entry point (HTTP routes, CLI
 * commands, the nightly scheduler, the capacity report, maintenance campaigns). It assembles the
 * planner's inputs (planning-inputs.ts), plans (campaign forecasts and steps too), stores a plan
 * with its request (a drain together with the maintenance claim on its hosts), executes, cancels,
 * re-plans from the stored request and walks re-plan chains. Adapters translate their protocol
 * into calls on it; none of them calls the planner or the store's plan methods.
 */
import { goalOnEnd } from './goal-check.js';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../executor/clock.js';
import {
  createExecutor,
  latestOfChain,
  planChain,
  requestCancel,
  type CancelRequest,
  type ExecutionResult,
  type Executor,
  type ExecutorMandate,
  type ReplanFn,
} from '../../executor/index.js';
import type { HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { Logger } from '../../executor/logger.js';
import { resolveExecutorOptions, type CancelMode, type ExecutorOptionsInput } from '../../executor/options.js';
import {
  ACTIVE_PLAN_STATUSES,
  EXECUTING_PLAN_STATUSES,
  type PlanRecord,
  type PlanRequestRecord,
} from '../../executor/store.js';
import {
  plan as plannerPlan,
  type CampaignPlan,
  type CampaignRequest,
  type Inventory,
  type Plan,
  type PlannerOptions,
  type PlanRequest,
  type StepRequest,
} from '../../planner/index.js';
import { boundPlanners, type BalanceAsked, type BoundPlanners } from './bound-planners.js';
import { recentlyMovedInstances } from '../nightly/cooldown.js';
import type { CreateClaimingResult, MaintenanceRecord, ServiceStore } from '../store/port.js';
import {
  campaignOwnHosts,
  plannerInputs,
  remainingRequest,
  type PlannerInputs,
  type PlannerSettings,
  type PlanningState,
  type ReplanExtras,
} from './planning-inputs.js';
import { reverifyStoredPlan, type ReverifyResult } from './reverify.js';
import { createRunner, type Runner } from './runner.js';

export {
  ACTIVE_PLAN_STATUSES,
  EXECUTING_PLAN_STATUSES,
  FINAL_PLAN_STATUSES,
  IN_FLIGHT_MOVE_STATES,
  MOVE_STATES,
  PLAN_SOURCES,
  PLAN_STATUSES,
  TERMINAL_MOVE_STATES,
  type MoveState,
  type PlanRequestRecord,
  type PlanSource,
  type PlanStatus,
} from '../../executor/store.js';
export type { PlannerSettings } from './planning-inputs.js';
export type { BoundPlanners } from './bound-planners.js';
export type { ReverifyResult } from './reverify.js';

/** The planning function; swappable (e.g. for one that plans on worker threads). */
export type PlanFn = (inventory: Inventory, request: PlanRequest, options: PlannerOptions) => Plan | Promise<Plan>;

/** A plan together with the request it was made for and what was frozen for it. */
export interface Planned {
  plan: Plan;
  request: PlanRequestRecord;
  /** Instances that were not allowed to move (the request's, maintenance, cool-down). */
  frozenInstances: string[];
}

export type StoreResult = CreateClaimingResult;

/** Why a cancel did nothing: no such plan, or the chain had already ended. */
export type CancelOutcome =
  | ({ ok: true } & CancelRequest)
  | { ok: false; reason: 'not-found' }
  | ({ ok: false; reason: 'ended' } & CancelRequest);

/** Runs stored plans in the background of a long-running process. */
export type PlanRunner = Pick<Runner, 'start' | 'cancel' | 'running' | 'idle'>;

export interface PlanLifecycleDeps {
  store: ServiceStore;
  /** Service clock: stored timestamps, planning time, executor timeouts. */
  clock: Clock;
  /** Planner settings and the nightly cool-down (configuration). */
  settings: { planner: PlannerSettings; cooldownHours: number };
  /** Fresh inventory for re-planning (never a cached one: the world just changed). */
  collect: (signal?: AbortSignal, only?: readonly string[]) => Promise<Inventory>;
  /** The hypervisors plans are executed on; without them the lifecycle plans, stores and cancels only. */
  cluster?: { hypervisor: Hypervisor; hosts: HostConfig[] };
  executorOptions?: ExecutorOptionsInput;
  log?: Logger;
  /** @default the planner's `plan` */
  planFn?: PlanFn;
  /** Runs stored plans in the background. @default a runner over the lifecycle's executor */
  runner?: PlanRunner;
  /** Called once whenever a plan chain ends (succeeded, failed, cancelled), with its final record. */
  onPlanEnded?: (record: PlanRecord) => void;
  /**
   * Among replicas: whether this process executes plans now (it leads), and the executor's mandate
   * (fencing, executor/context.ts). Elsewhere an execution request is queued in the store for the
   * leader (`startQueued`). @default always (one process)
   */
  leads?: () => boolean;
  mandate?: ExecutorMandate;
}

/** Reading stored plans, moves, events and maintenance (writes go through the lifecycle). */
export type PlanReader = Pick<
  ServiceStore,
  | 'getPlan'
  | 'getPlanVersion'
  | 'listPlans'
  | 'listMoves'
  | 'listEvents'
  | 'listMaintenance'
  | 'planTotals'
  | 'listMoveEndings'
  | 'countMoves'
>;

/** Outcome of an operator turning maintenance on or off. */
export type MaintenanceOutcome =
  | { ok: true; changed: boolean; record: MaintenanceRecord | null }
  | { ok: false; reason: 'held'; heldBy: MaintenanceRecord[] }
  | { ok: false; reason: 'draining'; planId: string };

/** The nightly balance settings (`nightly` section). */
export interface TonightSettings {
  cells: string[];
  threshold: number;
  maxMovesPerNight: number;
}

export interface CapacityInputs {
  maintenanceHosts: string[];
  balance: BalanceAsked;
  /** N+1 drains, tonight's balance and patch checks, bound to the lifecycle's rules for this state. */
  planners: BoundPlanners;
}

/** The campaign a step belongs to: what it asked for (its own hosts) and who asked. */
export type CampaignOfStep = CampaignRequest & { source: 'api' | 'cli' };

export interface PlanLifecycle {
  readonly read: PlanReader;
  /** Whether the store takes writes now (readiness). */
  readonly storeHealth: Pick<ServiceStore, 'probeWrite' | 'lastWriteFault'>;
  /**
   * The service state planning reads now; `alsoInMaintenance` adds hosts for a what-if (reports).
   * The cool-down is read only `withCooldown` (planning a nightly balance needs it).
   */
  planningState(alsoInMaintenance?: readonly string[], withCooldown?: boolean): Promise<PlanningState>;
  /** The planner's inputs for `request` on `inventory` (every freeze and avoidance rule). */
  inputs(
    inventory: Inventory,
    request: PlanRequestRecord,
    state?: PlanningState,
    extra?: ReplanExtras,
  ): Promise<PlannerInputs>;
  /** Plans `request`; nothing is stored. */
  plan(inventory: Inventory, request: PlanRequestRecord, extra?: ReplanExtras): Promise<Planned>;
  /**
   * A maintenance campaign's forecast on `inventory` under today's freezes and avoidances (hosts the
   * campaign names may receive although in maintenance); verified step by step. Nothing is stored.
   */
  planCampaign(inventory: Inventory, request: CampaignRequest): Promise<CampaignPlan>;
  /**
   * The drain of one campaign step planned now, preferring hosts outside `step.later`, under the
   * same rules as the forecast; verified as a drain. Its request keeps `later`, so a re-plan after a
   * failed move is a campaign step again. Nothing is stored (`save` stores it with its claim).
   */
  planCampaignStep(inventory: Inventory, campaign: CampaignOfStep, step: StepRequest): Promise<Planned>;
  /**
   * Stores a plan with its request; a drain atomically with the maintenance claim on its hosts
   * (refused, storing nothing, only while an active plan holds one of them).
   */
  save(planned: Planned): Promise<StoreResult>;
  /**
   * Operator maintenance: on claims the host (refused while any claim holds it); off ends the
   * claim, refused while the drain holding it is active (other plans could target the host).
   */
  setMaintenance(host: string, enabled: boolean, reason?: string): Promise<MaintenanceOutcome>;
  /**
   * Before a stored plan runs: it must still hold on a fresh inventory, and a drain's hosts must
   * be in maintenance for it (claimed again when an operator ended the maintenance meanwhile).
   */
  reverify(record: PlanRecord, inventory: Inventory): Promise<ReverifyResult>;
  /**
   * What the capacity report plans with: hosts in maintenance (plus `alsoInMaintenance`, a
   * what-if), tonight's balance as the nightly run would plan it now, and the planners for N+1,
   * that balance and the patch checks, bound to this state (the report passes no options). The
   * same for every entry point (HTTP and CLI reports).
   */
  capacityInputs(
    inventory: Inventory,
    tonight: TonightSettings,
    alsoInMaintenance?: readonly string[],
  ): Promise<CapacityInputs>;
  /** Claims on `hosts` held by an active plan: the ones that refuse a drain (a cheap early check). */
  activeHolders(hosts: readonly string[]): Promise<MaintenanceRecord[]>;
  /** True while a drain is active (planned, running or cancelling): nightly balancing then waits. */
  drainActive(): Promise<boolean>;
  /** Runs a planned plan (with re-plans) to its end. */
  execute(planId: string): Promise<ExecutionResult>;
  /**
   * Starts executing a planned plan in the background; resolves at once (the execution runs on).
   * On a replica that does not lead, the request is queued in the store (durably when this
   * resolves) and the leader starts it (`startQueued`).
   */
  start(planId: string): Promise<void>;
  /** The leader: starts the planned plans whose execution was requested on any replica; their ids. */
  startQueued(): Promise<string[]>;
  /**
   * Stops this process's executor at once (leadership lost): no new move starts, migrations in
   * flight are left to the hypervisors; a later `recover` (the next leader's) picks them up. The
   * lifecycle gets a fresh executor for its next term.
   */
  resign(reason: Error): Promise<void>;
  /** Cancels the newest plan of `planId`'s chain (`wait`: moves in flight finish; `abort`: they stop). */
  cancel(planId: string, mode?: CancelMode): Promise<CancelOutcome>;
  /** Reconciles and resumes plans a stopped process left running; their ids. */
  recover(): Promise<{ planId: string; done: Promise<ExecutionResult> }[]>;
  /** The re-plan chain `planId` belongs to, oldest first. */
  chain(planId: string): Promise<PlanRecord[]>;
  /** The newest plan of `planId`'s chain. */
  latest(planId: string): Promise<PlanRecord | null>;
  /** Plans executing in this process; resolves when none is. */
  running(): string[];
  idle(): Promise<void>;
  /** The executor (present when the lifecycle has a cluster). */
  readonly executor: Executor | null;
}

/**
 * Plans `request` in a given planning state; nothing is read or stored. `PlanLifecycle.plan` is
 * this on the state the store holds now; `rebalancer plan`, which plans from a file with nothing
 * in maintenance, calls it without opening a store.
 */
export async function planInState(
  deps: { clock: Clock; settings: { planner: PlannerSettings }; planFn?: PlanFn },
  inventory: Inventory,
  request: PlanRequestRecord,
  state: PlanningState,
  extra: ReplanExtras = {},
): Promise<Planned> {
  const i = plannerInputs(inventory, request, state, deps.settings.planner, () => deps.clock.now(), extra);
  const result = await (deps.planFn ?? plannerPlan)(inventory, i.request, i.options);
  const frozenInstances = i.request.goal === 'balance' ? (i.request.frozenInstances ?? []) : [];
  return { plan: result, request, frozenInstances };
}

export function createPlanLifecycle(deps: PlanLifecycleDeps): PlanLifecycle {
  const { store, clock } = deps;
  const now = () => clock.now();
  const cancelMode = resolveExecutorOptions(deps.executorOptions).cancelMode;

  const planningState: PlanLifecycle['planningState'] = async (also = [], withCooldown = false) => ({
    maintenanceHosts: [...new Set([...(await store.listMaintenance()).map((m) => m.host), ...also])],
    cooledDown: withCooldown
      ? await recentlyMovedInstances(store, clock.now() - deps.settings.cooldownHours * 3_600_000)
      : null,
  });
  const stateFor = (request: PlanRequestRecord) => planningState([], request.source === 'nightly');
  const inputs: PlanLifecycle['inputs'] = async (inventory, request, state, extra = {}) =>
    plannerInputs(inventory, request, state ?? (await stateFor(request)), deps.settings.planner, now, extra);
  const plan: PlanLifecycle['plan'] = async (inventory, request, extra) =>
    planInState(deps, inventory, request, await stateFor(request), extra);

  const replan: ReplanFn = async ({ planId, exclusions, avoidHosts }) => {
    const old = await store.getPlan(planId);
    if (!old) throw new Error(`cannot re-plan: plan ${planId} is not in the store`);
    const made = (await store.listMoves(planId)).filter((m) => m.state === 'succeeded').length;
    const request = remainingRequest(old.request ?? requestOfLegacy(old), made);
    const next = await plan(await deps.collect(), request, { exclusions, avoidHosts });
    return { plan: next.plan, request };
  };

  const cluster = deps.cluster;
  const newExecutor = () =>
    cluster
      ? createExecutor({
          hypervisor: cluster.hypervisor,
          hosts: cluster.hosts,
          store,
          clock,
          log: deps.log,
          options: deps.executorOptions,
          replan,
          mandate: deps.mandate,
        })
      : null;
  /** The executor of this process's current term (replaced when it resigns). */
  let executor = newExecutor();
  const mustExecutor = (): Executor => {
    if (!executor) throw new Error('this lifecycle has no hypervisors: it cannot execute plans');
    return executor;
  };
  const leads = deps.leads ?? (() => true);
  /** Runs resumed by `recover` (not started through the runner). */
  const recovering = new Set<Promise<unknown>>();
  // newcomers on drained hosts: a drain of the same hosts that supersedes the ended plan
  const followUp = async (planId: string, hosts: string[], inventory: Inventory): Promise<string | null> => {
    const old = await store.getPlan(planId);
    if (!old) return null;
    // the same hosts it may fill as the drain it follows (a campaign step's)
    const own = old.request?.ownHosts ? { ownHosts: old.request.ownHosts } : {};
    const request: PlanRequestRecord = { goal: 'drain', hosts, ...own, source: old.source };
    const next = await plan(inventory, request);
    if (next.plan.moves.length === 0) return null;
    const at = clock.now();
    const rec = await store.createPlan({
      plan: next.plan,
      request,
      source: old.source,
      status: 'planned',
      supersedes: planId,
      at,
    });
    await store.supersede(planId, rec.id, at);
    return rec.id;
  };
  const checkEnd: ((r: ExecutionResult) => Promise<ExecutionResult>) | null = deps.cluster
    ? goalOnEnd({
        store,
        clock,
        hosts: deps.cluster.hosts,
        collect: (only) => deps.collect(undefined, only),
        followUp,
        execute: (id) => mustExecutor().execute(id).then(checkEnd!),
        log: deps.log,
      })
    : null;
  /** The one place a plan's end is handled: its goal checked (goal-check.ts), then onPlanEnded. */
  const ended = async (result: ExecutionResult): Promise<ExecutionResult> => {
    const final = checkEnd ? await checkEnd(result) : result;
    const record = await store.getPlan(final.finalPlanId);
    if (record) deps.onPlanEnded?.(record);
    return final;
  };
  const newRunner = (ex: Executor | null): PlanRunner | null =>
    deps.runner ?? (ex ? createRunner({ ...ex, execute: (id) => ex.execute(id).then(ended) }, deps.log) : null);
  let runner = newRunner(executor);
  const mustRunner = (): PlanRunner => {
    if (!runner) throw new Error('this lifecycle has no hypervisors: it cannot execute plans');
    return runner;
  };

  const activeHolders = async (hosts: readonly string[]) => {
    const held: MaintenanceRecord[] = [];
    for (const m of await store.listMaintenance()) {
      if (!hosts.includes(m.host) || m.planId === null) continue;
      const status = (await store.getPlanVersion(m.planId))?.status;
      if (status !== undefined && ACTIVE_PLAN_STATUSES.includes(status)) held.push(m);
    }
    return held;
  };

  return {
    read: store,
    storeHealth: store,
    get executor() {
      return executor;
    },
    planningState,
    inputs,
    plan,
    planCampaign: async (inventory, request) =>
      boundPlanners(await planningState(), deps.settings.planner, now).campaign(inventory, request),
    planCampaignStep: (inventory, campaign, step) => {
      const later = step.later !== undefined ? { later: [...step.later] } : {};
      const own = campaignOwnHosts(campaign);
      const ownHosts = own.length ? { ownHosts: [...own] } : {};
      const request: PlanRequestRecord = {
        goal: 'drain',
        hosts: [...step.hosts],
        ...later,
        ...ownHosts,
        source: campaign.source,
      };
      return plan(inventory, request);
    },
    save: async (planned: Planned) => {
      const { plan: p, request } = planned;
      const drained = p.goal === 'drain' ? (p.target.hosts ?? []) : [];
      const input = { id: randomUUID(), plan: p, request, source: request.source, at: clock.now() };
      return store.createPlanClaiming(input, drained);
    },
    activeHolders,
    async capacityInputs(inventory, tonight, also = []) {
      const state = await planningState(also, true);
      const request: PlanRequestRecord = {
        goal: 'balance',
        cells: tonight.cells,
        threshold: tonight.threshold,
        maxMoves: tonight.maxMovesPerNight,
        source: 'nightly',
      };
      const balance = await inputs(inventory, request, state);
      const frozenInstances = balance.request.goal === 'balance' ? (balance.request.frozenInstances ?? []) : [];
      return {
        maintenanceHosts: [...state.maintenanceHosts],
        balance: {
          threshold: tonight.threshold,
          maxMoves: tonight.maxMovesPerNight,
          cells: tonight.cells,
          frozenInstances,
        },
        planners: boundPlanners(state, deps.settings.planner, now),
      };
    },
    reverify: async (record, inventory) =>
      reverifyStoredPlan(store, clock, inventory, record, deps.settings.planner.timeoutPerGiBSeconds),
    async setMaintenance(host, enabled, reason = 'manual') {
      const current = (await store.listMaintenance()).find((m) => m.host === host);
      if (enabled) {
        if (current) return { ok: true, changed: false, record: current };
        const claim = await store.claimMaintenance([host], { reason, planId: null, at: clock.now() });
        if (!claim.ok) return { ok: false, reason: 'held', heldBy: claim.heldBy };
        const record = (await store.listMaintenance()).find((m) => m.host === host) ?? null;
        return { ok: true, changed: true, record };
      }
      if (!current) return { ok: true, changed: false, record: null };
      if (current.planId && (await activeHolders([host])).length)
        return { ok: false, reason: 'draining', planId: current.planId };
      await store.releaseMaintenance(host, clock.now());
      return { ok: true, changed: true, record: null };
    },
    drainActive: async () =>
      (await store.listPlans({ status: [...ACTIVE_PLAN_STATUSES], limit: 10_000 })).some((p) => p.goal === 'drain'),
    execute: (planId) => mustExecutor().execute(planId).then(ended),
    start: async (planId) => {
      const r = mustRunner();
      if (leads()) return r.start(planId);
      await store.appendEvent({ planId, moveIndex: null, type: EXECUTION_REQUESTED, data: {}, at: clock.now() });
    },
    async startQueued() {
      const r = mustRunner();
      if (!leads()) return [];
      const here = new Set(r.running());
      const queued: string[] = [];
      for (const p of await store.listPlans({ status: ['planned'], limit: 10_000 })) {
        if (here.has(p.id)) continue;
        const events = await store.listEvents({ planId: p.id });
        if (events.some((e) => e.type === EXECUTION_REQUESTED)) queued.push(p.id);
      }
      for (const id of queued) r.start(id);
      return queued;
    },
    async resign(reason) {
      const ex = executor;
      if (!ex) return;
      ex.stop(reason);
      await Promise.all([runner?.idle(), Promise.allSettled([...recovering])]);
      executor = newExecutor();
      runner = newRunner(executor);
    },
    async cancel(planId, mode) {
      const rec = await latestOfChain(store, planId);
      if (!rec) return { ok: false, reason: 'not-found' };
      const here = runner?.running() ?? [];
      const asked: CancelRequest =
        EXECUTING_PLAN_STATUSES.includes(rec.status) && (await runner?.cancel(rec.id, mode))
          ? { record: rec, from: rec.status, status: 'cancelling' }
          : await requestCancel(store, clock, rec.id, mode ?? cancelMode, (id) => here.includes(id));
      if (asked.from !== 'planned' && !EXECUTING_PLAN_STATUSES.includes(asked.from))
        return { ok: false, reason: 'ended', ...asked };
      if (asked.status === 'cancelled') deps.onPlanEnded?.((await store.getPlan(asked.record.id)) ?? asked.record);
      return { ok: true, ...asked };
    },
    async recover() {
      const recovered = await mustExecutor().recover();
      for (const r of recovered) {
        recovering.add(r.done);
        void r.done.catch(() => undefined).finally(() => recovering.delete(r.done));
      }
      return recovered.map((r) => ({ planId: r.planId, done: r.done.then(ended) }));
    },
    chain: async (planId) => {
      const records: PlanRecord[] = [];
      for (const id of await planChain(store, planId)) {
        const r = await store.getPlan(id);
        if (r) records.push(r);
      }
      return records;
    },
    latest: (planId) => latestOfChain(store, planId),
    running: () => runner?.running() ?? [],
    idle: () => runner?.idle() ?? Promise.resolve(),
  };
}

/** The event that queues a plan's execution for the leader (asked on a replica that does not lead). */
export const EXECUTION_REQUESTED = 'plan.execution_requested';

/** The request of a plan stored before requests were kept: its goal and target only. */
function requestOfLegacy(r: PlanRecord): PlanRequestRecord {
  return r.plan.goal === 'drain'
    ? { goal: 'drain', hosts: r.plan.target.hosts ?? [], source: r.source }
    : { goal: 'balance', cells: r.plan.target.cells ?? [], source: r.source };
}
