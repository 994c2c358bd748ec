/**
 * The service's store port: everything the executor stores (its own port, executor/store.ts)
 * plus the service-wide state the executor never touches: host maintenance claims, nightly
 * run records and maintenance campaigns (CampaignStore, src/maintenance/types.ts). A second
 * store implementation (another database) implements this interface; src/store/sqlite.ts is
 * the first. Like the executor's port, every method is asynchronous and is one transaction: when
 * its promise resolves, the change is durable; a rule that must hold across a read and a write
 * (claims, supersede) is one method, never two calls.
 */
import type { ExecutorStore, NewPlan, PlanRecord } from '../../executor/store.js';
import type { CampaignStore } from '../maintenance/types.js';

export interface MaintenanceRecord {
  host: string;
  since: number;
  reason: string;
  planId: string | null;
}

export type ClaimResult = { ok: true } | { ok: false; heldBy: MaintenanceRecord[] };

export type CreateClaimingResult = { ok: true; record: PlanRecord } | { ok: false; heldBy: MaintenanceRecord[] };

export interface NightlyRunRecord {
  id: string;
  startedAt: number;
  endedAt: number | null;
  mode: string;
  result: unknown;
}

export interface ServiceStore extends ExecutorStore, CampaignStore {
  /**
   * Puts every host in maintenance for `planId`, or none: when any host already has an active
   * claim, nothing changes and the holders are returned. Of two racing drains exactly one wins.
   */
  claimMaintenance(hosts: string[], claim: { reason: string; planId: string | null; at: number }): Promise<ClaimResult>;
  /**
   * Stores the plan (as createPlan) together with a `drain` claim on each of `hosts`, in one
   * transaction. Claims that no active plan holds (manual maintenance, drains that ended) are
   * ended and taken over; when an active plan (ACTIVE_PLAN_STATUSES) holds any of the hosts,
   * nothing changes and those claims are returned. Of two racing callers exactly one wins.
   */
  createPlanClaiming(input: NewPlan & { id: string }, hosts: string[]): Promise<CreateClaimingResult>;
  /** Ends the active claim on `host` (no-op when none). */
  releaseMaintenance(host: string, at: number): Promise<void>;
  /** Ends every active claim held by `planId`. */
  releaseMaintenanceOf(planId: string, at: number): Promise<void>;
  listMaintenance(): Promise<MaintenanceRecord[]>;

  startNightlyRun(run: { id?: string; mode: string; at: number }): Promise<NightlyRunRecord>;
  finishNightlyRun(id: string, result: unknown, at: number): Promise<void>;
  listNightlyRuns(limit?: number): Promise<NightlyRunRecord[]>;
}
