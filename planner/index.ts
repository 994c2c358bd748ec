/**
 * The planner's public API. Pure: snapshot + request in, plan out; no I/O, no clock, no
 * unseeded randomness. Every plan returned here has passed the independent verifier.
 */
import type { Inventory } from './model/inventory.js';
import type { Plan } from './model/plan.js';
import type { BalanceRequest, DrainRequest, PlannerOptions } from './model/options.js';
import type { Violation } from './model/verify.js';
import { planDrain } from './strategies/drain.js';
import { planBalance } from './strategies/balance.js';
import { verifyPlan } from './verify/verify.js';
import type { CampaignPlan, CampaignRequest } from './model/campaign.js';
import { planCampaign } from './campaign/plan.js';
import { verifyCampaign } from './verify/campaign.js';
import { planOneStep } from './campaign/one-step.js';

export * from './model/inventory.js';
export * from './model/plan.js';
export * from './model/options.js';
export * from './model/verify.js';
export * from './model/campaign.js';
export { validateRequest, type RequestInput } from './model/request.js';
export {
  cellStats,
  finalPlacement,
  hostFigures,
  imbalanceOf,
  usableDiskGb,
  usableMemoryMb,
  usableVcpus,
  type HostFigures,
} from './metrics.js';
export { createQuickDrain, type DrainBlocker, type QuickAnswer, type QuickDrain } from './quick-drain.js';
export { verifyPlan } from './verify/verify.js';
export { verifyCampaign } from './verify/campaign.js';
export { UnknownHostError } from './strategies/drain.js';
export { campaignTargets, DEFAULT_MAX_UNAVAILABLE } from './campaign/plan.js';
export type { StepRequest } from './campaign/one-step.js';
export { MBIT_PER_MIB } from './estimate.js';
export { DEFAULT_MIGRATION_OVERHEAD_SECONDS } from './balance/placement.js';
export { CONVERGENCE_LIMIT, converges, type LinkOptions } from './convergence.js';

export type PlanRequest = ({ goal: 'drain' } & DrainRequest) | ({ goal: 'balance' } & BalanceRequest);

/** Thrown when a strategy produced a plan the verifier rejects: a bug, never an expected outcome. */
export class PlanVerificationError extends Error {
  override name = 'PlanVerificationError';
  readonly code = 'PLAN_VERIFICATION_FAILED';
  constructor(readonly violations: Violation[]) {
    super(
      `planner produced an invalid plan: ${violations
        .slice(0, 5)
        .map((v) => v.message)
        .join('; ')}`,
    );
  }
}

/** Computes a plan for the request and verifies it; throws PlanVerificationError on a planner bug. */
export function plan(inventory: Inventory, request: PlanRequest, options: PlannerOptions = {}): Plan {
  const result =
    request.goal === 'balance'
      ? planBalance(inventory, request, options)
      : request.later !== undefined
        ? planOneStep(inventory, { hosts: request.hosts, later: request.later }, options)
        : planDrain(inventory, request, options);
  const check = verifyPlan(inventory, result, options);
  if (!check.ok) throw new PlanVerificationError(check.violations);
  return result;
}

/**
 * Plans a rolling maintenance campaign (spec "Maintenance campaign") and verifies it step by step;
 * throws PlanVerificationError on a planner bug.
 */
export function planMaintenance(
  inventory: Inventory,
  request: CampaignRequest,
  options: PlannerOptions = {},
): CampaignPlan {
  const result = planCampaign(inventory, request, options);
  const check = verifyCampaign(inventory, result, options);
  if (!check.ok) throw new PlanVerificationError(check.violations);
  return result;
}
