/** Dependencies and run records of nightly balancing. */
import type { Logger } from 'pino';
import type { Clock } from '../../executor/clock.js';
import type { MoveState, PlanStatus } from '../../executor/store.js';
import type { ServiceStore } from '../store/port.js';
import type { Plan } from '../../planner/index.js';
import type { NightlyConfig } from './config.js';

/** What nightly asks the planner for (on a fresh inventory snapshot). */
export interface NightlyBalanceRequest {
  /** Cells to balance; all when empty. */
  cells: string[];
  threshold: number;
  maxMoves: number;
  /** Seconds from now to the window's end: the plan must fit them at the executor's concurrency. */
  windowSeconds: number;
}

/** A planned balance: the plan, and the instances that were not allowed to move. */
export interface NightlyPlanned {
  plan: Plan;
  frozenInstances: string[];
}

export interface ExecuteOptions {
  /** The window's end in epoch ms: no move starts after it (running ones finish). */
  deadline: number;
}

/** The cron scheduler (node-cron's default export fits). */
export interface CronScheduler {
  schedule(
    expression: string,
    fn: () => unknown,
    options: { timezone?: string; name?: string; noOverlap?: boolean },
  ): { stop(): unknown };
}

/** Store methods nightly uses (its run records, and reading the plan it ran). */
export type NightlyStore = Pick<ServiceStore, 'startNightlyRun' | 'finishNightlyRun' | 'getPlan' | 'listMoves'>;

export interface NightlyDeps {
  cron: CronScheduler;
  store: NightlyStore;
  clock: Pick<Clock, 'now'>;
  /**
   * Collects the inventory and plans the balance (nothing moves); the plan lifecycle adds the
   * freezes (maintenance, cool-down).
   */
  planBalance: (request: NightlyBalanceRequest) => Promise<NightlyPlanned>;
  /** Stores the planned balance (with its request); returns the plan id. */
  storePlan: (planned: NightlyPlanned) => Promise<string>;
  /** Runs a stored plan to its end and resolves with nothing; outcomes are read back from the store. */
  executePlan: (planId: string, options: ExecuteOptions) => Promise<unknown>;
  /** True while a maintenance drain is planned to run or running: nightly then does nothing. */
  isDrainRunning: () => boolean | Promise<boolean>;
  log: Logger;
  config: NightlyConfig;
}

/** Why a run did nothing. */
export type SkipReason = 'drain-running' | 'already-running';

/** What one nightly run did and why; stored as the run's result. */
export type NightlyResult =
  | { action: 'skipped'; reason: SkipReason }
  | {
      action: 'nothing-to-do';
      reason: 'below-threshold' | 'no-useful-move';
      imbalance: Record<string, number>;
      frozen: number;
    }
  | { action: 'planned'; planId: string; moves: number; frozen: number; deadline: string }
  | {
      action: 'executed';
      planId: string;
      moves: number;
      frozen: number;
      deadline: string;
      status: PlanStatus | 'unknown';
      outcomes: Partial<Record<MoveState, number>>;
    }
  | { action: 'failed'; stage: 'plan' | 'execute'; error: { code: string; message: string }; planId?: string };
