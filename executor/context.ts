/** What the executor's parts share: dependencies, options, and the executor's lifetime. */
import type { Exclusion, Plan } from '../planner/index.js';
import type { Clock } from './clock.js';
import { ExecutorError } from './errors.js';
import type { HostConfig, Hypervisor } from './hypervisor/types.js';
import type { Logger } from './logger.js';
import type { ExecutorOptions, ExecutorOptionsInput } from './options.js';
import type { ExecutorStore, PlanRequestRecord } from './store.js';

/** A fresh plan and the request it was made for (stored with it). */
export interface Replanned {
  plan: Plan;
  request?: PlanRequestRecord | null;
}

/** Asks for a fresh plan after failures (src/ collects a new inventory and calls the planner). */
export type ReplanFn = (req: { planId: string; exclusions: Exclusion[]; avoidHosts: string[] }) => Promise<Replanned>;

/** Points of a move at which the executor can be observed or, in tests, stopped as by a crash. */
export type MoveStep = 'precheck' | 'migrate' | 'progress' | 'verify' | 'finish';

export interface ExecutorHooks {
  /**
   * Called before each step of a move. Throwing stops the whole executor at once, as a crash
   * would: no further store writes or hypervisor calls happen, `execute` rejects.
   */
  beforeStep?(step: MoveStep, at: { planId: string; index: number }): void;
}

/**
 * The executor's mandate among replicas (the leader lease). Without one, the executor may always act.
 */
export interface ExecutorMandate {
  /** Whether the mandate still holds by the local clock; once false the executor stops, as by a crash. */
  valid(): boolean;
  /** Checked in the shared database right before a migration starts; rejects when the mandate is gone. */
  confirm(): Promise<void>;
}

export interface ExecutorDeps {
  hypervisor: Hypervisor;
  store: ExecutorStore;
  clock: Clock;
  log?: Logger;
  options?: ExecutorOptionsInput;
  /** Without it, failures are not re-planned: the plan ends `failed`. */
  replan?: ReplanFn;
  /** Host settings (enabled, memory ratio, reservations) used by the pre-check. */
  hosts?: HostConfig[];
  hooks?: ExecutorHooks;
  /** Fencing among replicas: no store write or hypervisor call once it lapses, no migration start unconfirmed. */
  mandate?: ExecutorMandate;
}

export interface Ctx {
  hv: Hypervisor;
  store: ExecutorStore;
  clock: Clock;
  log: Logger;
  opts: ExecutorOptions;
  replan?: ReplanFn;
  hosts: Map<string, HostConfig>;
  hooks: ExecutorHooks;
  /** Aborted when the executor stops (crash): everything it does ends. */
  life: AbortSignal;
  /** Stops the executor with `err` (used when a hook throws). */
  crash(err: unknown): never;
  /** Moves of this executor currently migrating, by destination: id -> memory MiB. */
  incoming: Map<string, Map<string, number>>;
  /** Resolves when a migration may start now (the mandate, confirmed); rejects when it may not. */
  confirmMandate(): Promise<void>;
}

/**
 * Appends event `type` of plan `planId` to the store: of its move `moveIndex`, or of the plan
 * (null); at `at`, by default now.
 */
export function recordEvent(
  ctx: Pick<Ctx, 'store' | 'clock'>,
  planId: string,
  moveIndex: number | null,
  type: string,
  data: unknown,
  at: number = ctx.clock.now(),
): Promise<number> {
  return ctx.store.appendEvent({ planId, moveIndex, type, data, at });
}

/** The error every call of a stopped executor's fenced ports throws (executor/fence.ts). */
export function stopped(life: AbortSignal): ExecutorError {
  return new ExecutorError('EXECUTOR_STOPPED', 'the executor was stopped', { cause: life.reason });
}

/** Runs the test hook for a step; a throwing hook stops the executor. */
export function step(ctx: Ctx, name: MoveStep, planId: string, index: number): void {
  if (ctx.life.aborted) throw stopped(ctx.life);
  try {
    ctx.hooks.beforeStep?.(name, { planId, index });
  } catch (err) {
    ctx.crash(err);
  }
}

/** A signal aborted when any of `signals` is. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => !!s));
}
