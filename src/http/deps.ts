/**
 * What the HTTP app needs from the rest of the service. Everything is passed in by the factory
 * (`createApp`), so tests swap any part: a simulated inventory, a stub runner, a fixed clock.
 */
import type { Clock } from '../../executor/clock.js';
import type { ExecutorStore } from '../../executor/store.js';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { HttpMetrics } from './metrics/http-metrics.js';
import type { ReadinessCheck } from './readiness.js';

/**
 * The current inventory. Planning may use a snapshot a few seconds old; `fresh: true` forces a
 * new collection (re-verifying a stored plan before it runs).
 */
export type InventorySource = (options?: { fresh?: boolean; signal?: AbortSignal }) => Promise<Inventory>;

/** Runs stored plans in the background. */
export interface PlanRunner {
  /** Starts (or resumes) executing the stored plan; returns at once. */
  start(planId: string): void;
  /** Asks a running plan to stop; returns false when this process is not running it. */
  cancel(planId: string): boolean;
  /** Ids of the plans executing in this process. */
  running(): string[];
  /** Resolves when no plan is executing (shutdown, tests). */
  idle(): Promise<void>;
}

export interface AppDeps {
  config: Config;
  store: ExecutorStore;
  inventorySource: InventorySource;
  runner: PlanRunner;
  log: Logger;
  clock: Clock;
  /** Request counters and latency histogram; created by the app when absent. */
  metrics?: HttpMetrics;
  /** GET /readyz; by default the store and the inventory source are checked (no hypervisors). */
  readiness?: ReadinessCheck;
}
