/**
 * Rolling maintenance campaigns (spec "Maintenance campaign"): the request and the campaign plan.
 * Fields may be added, never dropped or renamed.
 */
import type { Move, Unplaced } from './plan.js';

export interface CampaignRequest {
  /** Hosts to patch. Exclusive with `cells`. */
  hosts?: string[];
  /** Cells to patch: every enabled, up host of each. Exclusive with `hosts`. */
  cells?: string[];
  /** Most hosts of one cell out of service in the same step. @default 1 */
  maxUnavailable?: number;
}

/** One batch: its hosts are drained together, patched, then back in service for the next steps. */
export interface CampaignStep {
  hosts: string[];
  /** The step's drain moves; waves start at 0 in each step (make-room moves included). */
  moves: Move[];
  /** What stays on the step's hosts, with the reason. */
  unplaced: Unplaced[];
  /** GiB the step copies (sum of its moves' `gib`). */
  gibToCopy: number;
}

export interface CampaignMetrics {
  moves: number;
  gibToCopy: number;
  /** Instances that move in more than one step. */
  instancesMovedTwiceOrMore: number;
  /** GiB any campaign must copy: every movable instance of the target hosts once. */
  lowerBoundGib: number;
  steps: number;
  /** GiB copied by moves of instances that had already moved in an earlier step. */
  repeatGib: number;
}

export interface CampaignPlan {
  goal: 'maintenance';
  target: { hosts: string[]; maxUnavailable: number; cells?: string[] };
  feasible: boolean;
  steps: CampaignStep[];
  /** Union of the steps' `unplaced`. */
  unplaced: Unplaced[];
  metrics: CampaignMetrics;
}
