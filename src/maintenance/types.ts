/**
 * Maintenance campaigns as the service keeps them: statuses, per-host states and the store port
 * for campaigns. One definition each; the HTTP API, the CLI and the report use these.
 */
import type { CampaignPlan, CampaignRequest } from '../../planner/index.js';

/** Campaign statuses. `paused`: waiting for an operator (a failure or a host that did not come back). */
export const CAMPAIGN_STATUSES = ['planned', 'running', 'paused', 'cancelled', 'succeeded', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
/** Statuses in which the campaign still owns its cells (nightly balancing leaves them alone). */
export const ACTIVE_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['planned', 'running', 'paused'];

/** A target host's way through a campaign. */
export const CAMPAIGN_HOST_STATES = ['pending', 'draining', 'awaiting_patch', 'returning', 'done', 'failed'] as const;
export type CampaignHostState = (typeof CAMPAIGN_HOST_STATES)[number];

/**
 * What a host was doing when it failed (recorded in its `campaign.host_failed` event): a resume
 * takes it up there. `draining`: its step is drained again; `awaiting_patch`: its patch command
 * runs again (or the operator says it is patched); `returning`: the return check starts over.
 */
export const FAILED_DURING = ['draining', 'awaiting_patch', 'returning'] as const;
export type FailedDuring = (typeof FAILED_DURING)[number];

export interface CampaignRecord {
  id: string;
  request: Required<Pick<CampaignRequest, 'maxUnavailable'>> & CampaignRequest & { source: 'api' | 'cli' };
  /** The campaign plan made at creation: steps in order; later steps are re-planned when they start. */
  forecast: CampaignPlan;
  status: CampaignStatus;
  /** Why the campaign is paused, failed or was cancelled. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CampaignHostRecord {
  campaignId: string;
  host: string;
  /** Step (from 0) the host is drained in. */
  step: number;
  state: CampaignHostState;
  /** The drain plan of the host's step, once it was planned. */
  planId: string | null;
  reason: string | null;
  /** When the host entered its current state (epoch ms). */
  since: number;
}

export interface NewCampaign {
  id: string;
  request: CampaignRecord['request'];
  forecast: CampaignPlan;
  status: CampaignStatus;
  at: number;
}

export interface CampaignHostPatch {
  state?: CampaignHostState;
  planId?: string | null;
  reason?: string | null;
}

/** Campaign tables of the service store; asynchronous, one transaction per method, like the rest of the store port. */
export interface CampaignStore {
  /** Stores the campaign and one `pending` row per target host (its step from the forecast). */
  createCampaign(input: NewCampaign): Promise<CampaignRecord>;
  getCampaign(id: string): Promise<CampaignRecord | null>;
  /** Newest first. */
  listCampaigns(filter?: { status?: CampaignStatus[]; limit?: number }): Promise<CampaignRecord[]>;
  setCampaignStatus(id: string, status: CampaignStatus, at: number, reason?: string | null): Promise<void>;
  /**
   * Sets the status (and reason, when given) only when the campaign is in one of `from` now, in one
   * transaction. Resolves with the status it had: the change was made when that is one of `from`;
   * null when there is no such campaign.
   */
  changeCampaignStatus(
    id: string,
    from: readonly CampaignStatus[],
    status: CampaignStatus,
    at: number,
    reason?: string | null,
  ): Promise<CampaignStatus | null>;
  listCampaignHosts(id: string): Promise<CampaignHostRecord[]>;
  updateCampaignHost(id: string, host: string, patch: CampaignHostPatch, at: number): Promise<void>;
}
