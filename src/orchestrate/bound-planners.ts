/**
 * The planner's functions bound to the lifecycle's rules for one planning state: each one takes
 * only what it plans (a cell, a host, a campaign request) and gets its options from
 * planning-inputs.ts, never from its caller. Synchronous, for callers that plan many in a row
 * (the capacity report) and for the lifecycle's own campaign planning.
 */
import {
  createQuickDrain,
  plan,
  planMaintenance,
  type CampaignPlan,
  type CampaignRequest,
  type Inventory,
  type Plan,
  type QuickDrain,
} from '../../planner/index.js';
import type { PlanRequestRecord } from '../../executor/store.js';
import { campaignOptions, plannerInputs, type PlannerSettings, type PlanningState } from './planning-inputs.js';

/** Tonight's balance as the nightly run would ask for it. */
export interface BalanceAsked {
  threshold: number;
  maxMoves?: number;
  cells?: string[];
  /** Instances frozen on top of the lifecycle's freezes (maintenance, cool-down). */
  frozenInstances: string[];
}

export interface BoundPlanners {
  /** A drain of `host` alone, planned on `cell` (verified). */
  drain(cell: Inventory, host: string): Plan;
  /** The quick drain-feasibility proofs over `cell`, under the same avoidances as `drain`. */
  quickDrain(cell: Inventory): QuickDrain;
  /** A nightly balance (verified). */
  balance(inventory: Inventory, asked: BalanceAsked): Plan;
  /** A rolling maintenance campaign's forecast (verified step by step). */
  campaign(inventory: Inventory, request: CampaignRequest): CampaignPlan;
}

/** The planner functions used by `boundPlanners`; swappable (tests count or break them). */
export interface PlannerFunctions {
  plan: typeof plan;
  planMaintenance: typeof planMaintenance;
}

const PLANNER: PlannerFunctions = { plan, planMaintenance };

export function boundPlanners(
  state: PlanningState,
  settings: PlannerSettings,
  now: () => number,
  fns: Partial<PlannerFunctions> = {},
): BoundPlanners {
  const f = { ...PLANNER, ...fns };
  const drainOf = (inventory: Inventory, hosts: string[]) => {
    const request: PlanRequestRecord = { goal: 'drain', hosts, source: 'api' };
    return plannerInputs(inventory, request, state, settings, now);
  };
  return {
    drain(cell, host) {
      const i = drainOf(cell, [host]);
      return f.plan(cell, i.request, i.options);
    },
    quickDrain: (cell) => createQuickDrain(cell, drainOf(cell, []).options),
    balance(inventory, asked) {
      const request: PlanRequestRecord = { goal: 'balance', ...asked, source: 'nightly' };
      const i = plannerInputs(inventory, request, state, settings, now);
      return f.plan(inventory, i.request, i.options);
    },
    campaign: (inventory, request) =>
      f.planMaintenance(inventory, request, campaignOptions(request, state, settings, now)),
  };
}
