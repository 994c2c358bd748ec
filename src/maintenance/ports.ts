/**
 * What the campaign service needs from the rest of the service, passed in by its factory: the
 * store, the clock, fresh inventories, the plan lifecycle for the forecast and each step's drain,
 * the patch command and the checks that a host came back.
 */
import type { Clock } from '../../executor/clock.js';
import type { CampaignPlan, CampaignRequest, Inventory, StepRequest } from '../../planner/index.js';
import type { CampaignOfStep, Planned } from '../orchestrate/lifecycle.js';
import type { Logger } from '../log.js';
import type { HostCommandResult } from './host-command.js';
import type { ServiceStore } from '../store/port.js';
import type { CampaignStore } from './types.js';

/** Final statuses of a drain as the campaign sees them. */
export type StepPlanStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StepPort {
  /** The campaign's forecast on `inventory`, planned and verified by the plan lifecycle. */
  forecast(inventory: Inventory, request: CampaignRequest): Promise<CampaignPlan>;
  /**
   * One step's drain planned now on `inventory` by the plan lifecycle (verified), preferring hosts
   * outside `step.later` (the target hosts of later steps, kept in its request so that a re-plan
   * after a failed move still prefers the other hosts).
   */
  planStep(inventory: Inventory, campaign: CampaignOfStep, step: StepRequest): Promise<Planned>;
  /** Stores a step's drain with the maintenance claim on its hosts; the refusal says who holds them. */
  save(step: Planned): Promise<{ ok: true; planId: string } | { ok: false; reason: string }>;
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
