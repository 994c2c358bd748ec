import type { Inventory } from '../model/inventory.js';
import type { Plan } from '../model/plan.js';
import type { BalanceRequest, PlannerOptions } from '../model/options.js';

/** Evens out load inside each cell. (placeholder until the balance strategy lands) */
export function planBalance(_inventory: Inventory, _request: BalanceRequest, _options: PlannerOptions): Plan {
  throw new Error('planBalance: not implemented yet');
}
