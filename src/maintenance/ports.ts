/**
 * What the campaign service needs from the rest of the service, passed in by its factory: the
 * store, the clock, fresh inventories, the plan lifecycle for each step's drain, the patch
 * command and the checks that a host came back.
 */
import type { Clock } from '../../executor/clock.js';
import type { Inventory, Plan, PlannerOptions } from '../../planner/index.js';
import type { Logger } from '../log.js';
import type { HostCommandResult } from './host-command.js';
import type { ServiceStore } from '../store/port.js';
import type { CampaignStore } from './types.js';

/** Final statuses of a drain as the campaign sees them. */
export type StepPlanStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StepPort {
  /**
   * Planner options for campaign planning now (hosts in maintenance outside `targets` avoided,
   * configured timeouts and method): the lifecycle's rules, not a copy.
   */
  plannerOptions(targets: readonly string[]): Promise<PlannerOptions>;
  /**
   * Stores a step's drain with the maintenance claim on its hosts; the refusal says who holds them.
   * `later`: the target hosts of later steps, kept in the stored request so that a re-plan after a
   * failed move still prefers the other hosts.
   */
  save(
    plan: Plan,
    source: 'api' | 'cli',
    later: readonly string[],
  ): Promise<{ ok: true; planId: string } | { ok: false; reason: string }>;
  /** Starts executing a stored plan in the background (re-plans included); resolves at once. */
  start(planId: string): Promise<void>;
  /** Status of the newest plan of `planId`'s chain. */
  status(planId: string): Promise<StepPlanStatus>;
  /** Asks the running drain to stop. */
  cancel(planId: string): Promise<void>;
}

export interface CampaignDeps {
  store: CampaignStore & Pick<ServiceStore, 'appendEvent' | 'listEvents' | 'releaseMaintenance'>;
  clock: Clock;
  /** A fresh inventory (never a cached one). */
  collect: () => Promise<Inventory>;
  steps: StepPort;
  /** Runs the configured patch command for a host; absent: the operator says when a host is done. */
  hostCommand?: (host: string, campaign: string) => Promise<HostCommandResult>;
  settings: {
    /** How long a patched host may take to come back (reachable, up, enabled). @default 30 */
    returnTimeoutMinutes: number;
    /** Interval between checks while waiting (drain status, operator, host back). @default 2000 */
    pollMs: number;
  };
  /**
   * Among replicas: whether this process drives campaigns now (it leads). Elsewhere a campaign
   * set running waits in the store for the leader (`recover` on its poll). @default always
   */
  leads?: () => boolean;
  log?: Logger;
}
