/**
 * Which inventory versions a planning worker keeps: the newest, up to HELD_INSTANCES instances in
 * all (always at least the newest one). The pool and the worker apply this rule to the same
 * sequence of snapshots, so the pool knows what each worker holds without asking. The API plans a
 * drain on the slice of its cell (one object per cell and snapshot): keeping several lets requests
 * that alternate between cells reuse what was sent instead of sending a slice with every request.
 */

/** Instances a worker keeps across the snapshots it holds (about two 100k-instance regions). */
export const HELD_INSTANCES = 250_000;

export interface Held {
  version: number;
  /** Instances of that snapshot. */
  instances: number;
}

/** Adds `entry` as the newest and drops the oldest until the rule holds. */
export function hold<T extends Held>(held: T[], entry: T): void {
  held.push(entry);
  let total = 0;
  for (const h of held) total += h.instances;
  while (held.length > 1 && total > HELD_INSTANCES) total -= held.shift()!.instances;
}
