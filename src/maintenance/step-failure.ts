/**
 * How a campaign step that cannot be emptied is described, in one place: the campaign that
 * pauses on it and the capacity report that forecasts it say the same words.
 */
import type { Unplaced } from '../../planner/index.js';

/** The first `shown` instances that stay, `name on host: reason`, and how many more. */
export function staysSummary(unplaced: readonly Unplaced[], shown = 3): string {
  const first = unplaced.slice(0, shown).map((u) => `${u.name} on ${u.host}: ${u.reason}`);
  const more = unplaced.length > shown ? ` (and ${unplaced.length - shown} more)` : '';
  return `${first.join('; ')}${more}`;
}

/** `step 2 (H1, H2) cannot be emptied: ...`; `index` counts from 0, the text from 1. */
export function stepCannotBeEmptied(index: number, hosts: readonly string[], unplaced: readonly Unplaced[]): string {
  return `step ${index + 1} (${hosts.join(', ')}) cannot be emptied: ${staysSummary(unplaced)}`;
}
