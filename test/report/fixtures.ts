/** Scenario inventories for the report tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInventory, type Inventory } from '../../planner/index.js';

export const SCENARIOS = join(import.meta.dirname, '..', 'fixtures', 'scenarios');

export function scenarioPath(name: string): string {
  return join(SCENARIOS, `${name}.json`);
}

export function scenario(name: string): Inventory {
  const parsed = parseInventory(JSON.parse(readFileSync(scenarioPath(name), 'utf8')));
  if (!parsed.ok) throw new Error(`fixture ${name} is invalid: ${JSON.stringify(parsed.issues)}`);
  return parsed.inventory;
}
