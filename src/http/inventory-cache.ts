/**
 * The service's inventory source: collection from the hypervisors, with a short-lived cache so
 * a burst of requests shares one collection (concurrent callers wait for the same one).
 */
import type { Clock } from '../../executor/clock.js';
import type { Inventory } from '../../planner/index.js';
import type { InventorySource } from './deps.js';

export interface CachedSourceOptions {
  /** Collects a new snapshot. */
  collect: (signal?: AbortSignal) => Promise<Inventory>;
  clock: Clock;
  /** A snapshot younger than this is reused. @default 2000 */
  maxAgeMs?: number;
}

export function cachedInventorySource(o: CachedSourceOptions): InventorySource & { invalidate(): void } {
  const maxAge = o.maxAgeMs ?? 2000;
  let current: { at: number; value: Promise<Inventory> } | null = null;
  const source = (opts: { fresh?: boolean; signal?: AbortSignal } = {}) => {
    const now = o.clock.now();
    if (!current || opts.fresh || now - current.at > maxAge) {
      const entry = { at: now, value: o.collect(opts.signal) };
      current = entry;
      entry.value.catch(() => {
        if (current === entry) current = null;
      });
    }
    return current.value;
  };
  return Object.assign(source, { invalidate: () => void (current = null) });
}
