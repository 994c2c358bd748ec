import type { Inventory } from '../model/inventory.js';
import type { Plan } from '../model/plan.js';
import type { PlannerOptions } from '../model/options.js';
import type { VerifyResult } from '../model/verify.js';

/** Re-checks every hard constraint wave by wave. (placeholder until the verifier lands) */
export function verifyPlan(_inventory: Inventory, _plan: Plan, _options: Pick<PlannerOptions, 'avoidHosts' | 'exclusions' | 'timeoutPerGiBSeconds'> = {}): VerifyResult {
  throw new Error('verifyPlan: not implemented yet');
}
