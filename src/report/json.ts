/** JSON rendering of the capacity report: the model itself. */
import type { CapacityReport } from './model.js';

export function renderJson(report: CapacityReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
