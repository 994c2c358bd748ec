/**
 * What the HTTP app needs from the rest of the service. Everything is passed in by the factory
 * (`createApp`), so tests swap any part: a simulated inventory, a lifecycle with a stub runner, a fixed clock.
 */
import type { Clock } from '../../executor/clock.js';
import type { PlanLifecycle } from '../orchestrate/lifecycle.js';
import type { InventorySource } from '../inventory/inventory-cache.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { HttpMetrics } from './metrics/http-metrics.js';
import type { MaintenanceDeps } from './routes/maintenance.js';
import type { ReadinessCheck } from './readiness.js';
import type { RoleView } from '../ha/leadership.js';

export type { InventorySource } from '../inventory/inventory-cache.js';

export interface AppDeps {
  config: Config;
  /** Plans, their execution and maintenance: the routes only translate HTTP into calls on it. */
  lifecycle: PlanLifecycle;
  inventorySource: InventorySource;
  log: Logger;
  clock: Clock;
  /** Maintenance campaigns (POST /maintenance ...); the routes are absent without it. */
  maintenance?: MaintenanceDeps;
  /** Request counters and latency histogram; created by the app when absent. */
  metrics?: HttpMetrics;
  /** GET /readyz; by default the store and the inventory source are checked (no hypervisors). */
  readiness?: ReadinessCheck;
  /** This replica's role among replicas (healthz, readyz, metrics). @default always leader (one process) */
  leadership?: RoleView;
}
