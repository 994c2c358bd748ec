/**
 * The store port of the executor: plans, their moves, move history, progress samples and an
 * append-only event log. The service's store (src/store/port.ts) implements it plus the
 * service-wide state (maintenance claims, nightly runs).
 *
 * Every method is asynchronous and is one transaction: when its promise resolves, the change is
 * durable (committed), and when it rejects, nothing of it was written. The executor awaits every
 * state change before its next action, so it never acts on a change that is not stored yet.
 * Two calls are two transactions: a rule that must hold across a read and a write (a status
 * check before a change, a claim) lives in one method. Implemented by src/store/sqlite.ts
 * (`openStore(path)`).
 */
import type { Move, Plan, PlannerOptions, PlanRequest } from '../planner/index.js';

/** Every status of a stored plan: the one definition, the type and every list below come from it. */
export const PLAN_STATUSES = [
  'planned',
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
/** Plan states that end execution. */
export const FINAL_PLAN_STATUSES: readonly PlanStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded'];
/** Statuses of a plan that may still move VMs (an "active" plan: for a drain, an active drain). */
export const ACTIVE_PLAN_STATUSES: readonly PlanStatus[] = ['planned', 'running', 'cancelling'];
/** Statuses of a plan an executor is working on (moves may be in flight). */
export const EXECUTING_PLAN_STATUSES: readonly PlanStatus[] = ['running', 'cancelling'];

export const PLAN_SOURCES = ['api', 'cli', 'nightly'] as const;
export type PlanSource = (typeof PLAN_SOURCES)[number];

/** Every state of a move: the one definition. */
export const MOVE_STATES = [
  'pending',
  'prechecking',
  'migrating',
  'verifying',
  'succeeded',
  'skipped',
  'failed',
  'timed_out',
  'cancelled',
] as const;
export type MoveState = (typeof MOVE_STATES)[number];
/** States of a move under way (the VM may be on its way to the destination). */
export const IN_FLIGHT_MOVE_STATES: readonly MoveState[] = ['prechecking', 'migrating', 'verifying'];
/** States a move never leaves. */
export const TERMINAL_MOVE_STATES: readonly MoveState[] = ['succeeded', 'skipped', 'failed', 'timed_out', 'cancelled'];

/**
 * What a plan was asked for, stored with it: the planner request (goal, hosts or cells,
 * threshold, maxMoves, frozen instances as the caller gave them), the planning method and who
 * asked. Re-planning starts from it.
 */
export type PlanRequestRecord = PlanRequest & {
  method?: PlannerOptions['method'];
  source: PlanSource;
  /**
   * Hosts in maintenance this request may still fill: a campaign step's, the hosts its campaign
   * names (kept with the request so a re-plan or a follow-up of the step plans by the same rule).
   */
  ownHosts?: string[];
};

export interface StoredError {
  code: string;
  message: string;
}

export interface PlanRecord {
  id: string;
  goal: Plan['goal'];
  plan: Plan;
  status: PlanStatus;
  source: PlanSource;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** The plan this one replaced after a failure (re-plan chain), and the one that replaced it. */
  supersedes: string | null;
  supersededBy: string | null;
  /** The request the plan was made for; null for plans stored before requests were kept. */
  request: PlanRequestRecord | null;
  /** Outcome summary written when the plan ends (counts, failed moves). */
  summary: unknown;
  error: StoredError | null;
}

/** Where a domain was found when a move ended (recorded whenever the outcome is not the plan's). */
export interface RecordedLocation {
  runningOn: string[];
  definedOn: string[];
}

export interface ProgressSample {
  planId: string;
  index: number;
  at: number;
  processedBytes: number;
  remainingBytes: number;
  totalBytes: number;
  dirtyRateBps: number | null;
  /** Estimated seconds to completion at the recent rate; null when unknown. */
  etaSeconds: number | null;
}

export interface MoveRecord {
  planId: string;
  /** Position in `plan.moves`. */
  index: number;
  move: Move;
  state: MoveState;
  attempts: number;
  error: StoredError | null;
  lastProgress: ProgressSample | null;
  location: RecordedLocation | null;
  startedAt: number | null;
  endedAt: number | null;
}

export interface MovePatch {
  state?: MoveState;
  attempts?: number;
  error?: StoredError | null;
  location?: RecordedLocation | null;
  startedAt?: number | null;
  endedAt?: number | null;
}

export interface MoveStateChange {
  state: MoveState;
  at: number;
}

export interface PlanEvent {
  /** Monotonic: the order in which events were appended. */
  id: number;
  planId: string;
  moveIndex: number | null;
  type: string;
  data: unknown;
  at: number;
}

export interface NewPlan {
  /** Generated (UUID) when absent. */
  id?: string;
  plan: Plan;
  source: PlanSource;
  status?: PlanStatus;
  supersedes?: string | null;
  /** The request the plan was made for. @default null */
  request?: PlanRequestRecord | null;
  at: number;
}

export interface PlanFilter {
  status?: PlanStatus[];
  source?: PlanSource;
  /** Newest first; @default 100 */
  limit?: number;
  /** Only plans listed after this plan id (a cursor: the last id of the previous page). */
  after?: string;
}

/** Plan counts the store keeps as it writes (reading them does not grow with the number of plans). */
export interface PlanTotals {
  byStatus: Record<PlanStatus, number>;
  /** Plans created to replace a failed plan (those with `supersedes`). */
  replans: number;
}

/** A move that reached a terminal state; `id` orders endings (a cursor for `listMoveEndings`). */
export interface MoveEnding {
  id: number;
  state: MoveState;
  record: MoveRecord;
}

/** Why a write failed, in the database's words (`SQLITE_FULL`, "database or disk is full"); wall-clock ms. */
export interface WriteFault {
  code: string;
  reason: string;
  at: number;
}

export interface ExecutorStore {
  /** Inserts the plan and one `pending` move per `plan.moves` entry, atomically. */
  createPlan(input: NewPlan): Promise<PlanRecord>;
  getPlan(id: string): Promise<PlanRecord | null>;
  /** Status and last update of a plan, without reading the plan itself (caches, polling). */
  getPlanVersion(id: string): Promise<{ status: PlanStatus; updatedAt: number } | null>;
  listPlans(filter?: PlanFilter): Promise<PlanRecord[]>;
  setPlanStatus(
    id: string,
    status: PlanStatus,
    at: number,
    extra?: { summary?: unknown; error?: StoredError | null },
  ): Promise<void>;
  /**
   * Sets the plan's status to `status` only when it is one of `from` now, in one transaction (a
   * status check and its change can never interleave with another writer). Resolves with the
   * status the plan had: the change was made when that is one of `from`; null when no such plan.
   */
  changePlanStatus(id: string, from: readonly PlanStatus[], status: PlanStatus, at: number): Promise<PlanStatus | null>;
  /**
   * Marks `oldId` superseded by `newId` (both directions linked) and hands the old plan's
   * active maintenance claims to the new plan, atomically.
   */
  supersede(oldId: string, newId: string, at: number): Promise<void>;

  listMoves(planId: string): Promise<MoveRecord[]>;
  getMove(planId: string, index: number): Promise<MoveRecord | null>;
  /** Updates a move; a state change is also appended to the move's history. */
  updateMove(planId: string, index: number, patch: MovePatch, at: number): Promise<void>;
  moveHistory(planId: string, index: number): Promise<MoveStateChange[]>;

  addProgress(sample: ProgressSample): Promise<void>;
  listProgress(planId: string, index?: number): Promise<ProgressSample[]>;

  /** Plans by status and re-plans, kept by the store as plans are written. */
  planTotals(): Promise<PlanTotals>;
  /** Moves that ended after the ending `afterId` (0: from the start), in the order they ended, each once. */
  listMoveEndings(afterId: number, limit: number): Promise<MoveEnding[]>;
  /** How many moves are in one of `states` now. */
  countMoves(states: readonly MoveState[]): Promise<number>;

  appendEvent(e: Omit<PlanEvent, 'id'>): Promise<number>;
  /** Events in append order, optionally only those after `afterId`. */
  listEvents(filter?: { planId?: string; afterId?: number; limit?: number }): Promise<PlanEvent[]>;

  /** Commits a small write (readiness): rejects as a write would now (read-only file, I/O error, full). */
  probeWrite(at: number): Promise<void>;
  /**
   * The last write that failed because the store could not take it (disk full, I/O error), until
   * a later write succeeds; null when none did. A small probe may pass where a plan does not fit.
   */
  lastWriteFault(): Promise<WriteFault | null>;

  close(): Promise<void>;
}
