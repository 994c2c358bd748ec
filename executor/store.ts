/**
 * Persistence contract of the executor and the service: plans, their moves, move history,
 * progress samples, an append-only event log, host maintenance flags and nightly run records.
 *
 * Every method is synchronous on purpose: when a call returns, the change is durable, so the
 * executor never takes its next action before the previous state change is on disk.
 * Implemented by src/store/sqlite.ts (`openStore(path)`).
 */
import type { Move, Plan } from '../planner/index.js';

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
export type PlanSource = 'api' | 'cli' | 'nightly';
export type MoveState =
  | 'pending'
  | 'prechecking'
  | 'migrating'
  | 'verifying'
  | 'succeeded'
  | 'skipped'
  | 'failed'
  | 'timed_out'
  | 'cancelled';

/** States a move never leaves. */
export const TERMINAL_MOVE_STATES: readonly MoveState[] = ['succeeded', 'skipped', 'failed', 'timed_out', 'cancelled'];
/** Plan states that end execution. */
export const FINAL_PLAN_STATUSES: readonly PlanStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded'];

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
  /** Fingerprint of the inventory the plan was computed from (caller-defined). */
  fingerprint: string | null;
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
  fingerprint?: string | null;
  at: number;
}

export interface PlanFilter {
  status?: PlanStatus[];
  source?: PlanSource;
  /** Newest first; @default 100 */
  limit?: number;
}

export interface MaintenanceRecord {
  host: string;
  since: number;
  reason: string;
  planId: string | null;
}

export type ClaimResult = { ok: true } | { ok: false; heldBy: MaintenanceRecord[] };

/** Statuses of a plan that may still move VMs: its maintenance claims are not to be taken over. */
export const ACTIVE_PLAN_STATUSES: readonly PlanStatus[] = ['planned', 'running', 'cancelling'];

export type CreateClaimingResult = { ok: true; record: PlanRecord } | { ok: false; heldBy: MaintenanceRecord[] };

export interface NightlyRunRecord {
  id: string;
  startedAt: number;
  endedAt: number | null;
  mode: string;
  result: unknown;
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
  createPlan(input: NewPlan): PlanRecord;
  getPlan(id: string): PlanRecord | null;
  /** Status and last update of a plan, without reading the plan itself (caches, polling). */
  getPlanVersion(id: string): { status: PlanStatus; updatedAt: number } | null;
  listPlans(filter?: PlanFilter): PlanRecord[];
  setPlanStatus(
    id: string,
    status: PlanStatus,
    at: number,
    extra?: { summary?: unknown; error?: StoredError | null },
  ): void;
  /**
   * Marks `oldId` superseded by `newId` (both directions linked) and hands the old plan's
   * active maintenance claims to the new plan, atomically.
   */
  supersede(oldId: string, newId: string, at: number): void;

  listMoves(planId: string): MoveRecord[];
  getMove(planId: string, index: number): MoveRecord | null;
  /** Updates a move; a state change is also appended to the move's history. */
  updateMove(planId: string, index: number, patch: MovePatch, at: number): void;
  moveHistory(planId: string, index: number): MoveStateChange[];

  addProgress(sample: ProgressSample): void;
  listProgress(planId: string, index?: number): ProgressSample[];

  /** Plans by status and re-plans, kept by the store as plans are written. */
  planTotals(): PlanTotals;
  /** Moves that ended after the ending `afterId` (0: from the start), in the order they ended, each once. */
  listMoveEndings(afterId: number, limit: number): MoveEnding[];
  /** How many moves are in one of `states` now. */
  countMoves(states: readonly MoveState[]): number;

  appendEvent(e: Omit<PlanEvent, 'id'>): number;
  /** Events in append order, optionally only those after `afterId`. */
  listEvents(filter?: { planId?: string; afterId?: number; limit?: number }): PlanEvent[];

  /**
   * Puts every host in maintenance for `planId`, or none: when any host already has an active
   * claim, nothing changes and the holders are returned. Of two racing drains exactly one wins.
   */
  claimMaintenance(hosts: string[], claim: { reason: string; planId: string | null; at: number }): ClaimResult;
  /**
   * Stores the plan (as createPlan) together with a `drain` claim on each of `hosts`, in one
   * transaction. Claims that no active plan holds (manual maintenance, drains that ended) are
   * ended and taken over; when an active plan (ACTIVE_PLAN_STATUSES) holds any of the hosts,
   * nothing changes and those claims are returned. Of two racing callers exactly one wins.
   */
  createPlanClaiming(input: NewPlan & { id: string }, hosts: string[]): CreateClaimingResult;
  /** Ends the active claim on `host` (no-op when none). */
  releaseMaintenance(host: string, at: number): void;
  /** Ends every active claim held by `planId`. */
  releaseMaintenanceOf(planId: string, at: number): void;
  listMaintenance(): MaintenanceRecord[];

  startNightlyRun(run: { id?: string; mode: string; at: number }): NightlyRunRecord;
  finishNightlyRun(id: string, result: unknown, at: number): void;
  listNightlyRuns(limit?: number): NightlyRunRecord[];

  /** Commits a small write (readiness): throws what a write throws now (read-only file, I/O error, full). */
  probeWrite(at: number): void;
  /**
   * The last write that failed because the store could not take it (disk full, I/O error), until
   * a later write succeeds; null when none did. A small probe may pass where a plan does not fit.
   */
  lastWriteFault(): WriteFault | null;

  close(): void;
}
