/**
 * Which inventory versions a planning worker keeps: for each set of cells, the newest version
 * only (a refreshed snapshot, or its slice of the same cells, replaces the older one), and of those
 * the newest up to HELD_INSTANCES instances in all (always at least the newest one). The pool and
 * the worker apply this rule to the same sequence of snapshots, so the pool knows what each worker
 * holds without asking. The API plans a drain on the slice of its cell (one object per cell and
 * snapshot): keeping one per cell lets requests that alternate between cells reuse what was sent
 * instead of sending a slice with every request, and a refresh every few seconds does not pile up
 * slices of snapshots no request plans on any more. A request still planning on an older version
 * gets it sent again.
 */
import type { Inventory } from '../../planner/index.js';

/** Instances a worker keeps across the snapshots it holds (about two 100k-instance regions). */
export const HELD_INSTANCES = 250_000;

export interface Held {
  version: number;
  /** The cells of that snapshot, sorted and joined (versions of the same cells replace each other). */
  cells: string;
  /** Instances of that snapshot. */
  instances: number;
}

/** What `hold` needs to know of an inventory. */
export function heldOf(version: number, inventory: Inventory): Held {
  const cells = [...new Set(inventory.hosts.map((h) => h.cell))].sort().join('\u0000');
  return { version, cells, instances: inventory.instances.length };
}

/** Adds `entry` as the newest, drops an older one of the same cells, then the oldest until the rule holds. */
export function hold<T extends Held>(held: T[], entry: T): void {
  const same = held.findIndex((h) => h.cells === entry.cells);
  if (same >= 0) held.splice(same, 1);
  held.push(entry);
  let total = 0;
  for (const h of held) total += h.instances;
  while (held.length > 1 && total > HELD_INSTANCES) total -= held.shift()!.instances;
}
