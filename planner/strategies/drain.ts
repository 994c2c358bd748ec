import type { Inventory } from '../model/inventory.js';
import type { Plan } from '../model/plan.js';
import type { DrainRequest, PlannerOptions } from '../model/options.js';

/** Empties the requested hosts. (placeholder until the drain strategy lands) */
export function planDrain(_inventory: Inventory, _request: DrainRequest, _options: PlannerOptions): Plan {
  throw new Error('planDrain: not implemented yet');
}
