/**
 * The service's inventory source: collections from the hypervisors shared by all requests.
 * A snapshot older than `maxAgeMs` is still served while a new collection runs in the background
 * (stale-while-revalidate), so no request waits for a collection except the very first and those
 * asking for `fresh` (re-verifying a plan before it runs). Concurrent callers share one collection.
 */
import type { Clock } from '../../executor/clock.js';
import type { Inventory } from '../../planner/index.js';

/**
 * The current inventory. Planning may use a snapshot a few seconds old; `fresh: true` forces a
 * new collection (re-verifying a stored plan before it runs).
 */
export type InventorySource = (options?: { fresh?: boolean; signal?: AbortSignal }) => Promise<Inventory>;

export interface CachedSourceOptions {
  /** Collects a new snapshot. */
  collect: (signal?: AbortSignal) => Promise<Inventory>;
  clock: Clock;
  /** A snapshot older than this triggers a background refresh. @default 5000 */
  maxAgeMs?: number;
  /** Called when a background refresh fails (the previous snapshot stays in use). */
  onError?: (err: unknown) => void;
}

export interface CachedSource extends InventorySource {
  /** Forgets the snapshot: the next call collects. */
  invalidate(): void;
  /** When the snapshot in use was collected (null before the first) and why the last refresh failed. */
  snapshot(): { at: number | null; lastError: unknown };
}

export function cachedInventorySource(o: CachedSourceOptions): CachedSource {
  const maxAge = o.maxAgeMs ?? 5000;
  let current: { at: number; value: Inventory } | null = null;
  let running: Promise<Inventory> | null = null;
  let lastError: unknown = null;
  const refresh = (signal?: AbortSignal): Promise<Inventory> => {
    if (running) return running;
    const started = o.clock.now();
    const p = o.collect(signal).then(
      (value) => {
        current = { at: started, value };
        lastError = null;
        return value;
      },
      (err: unknown) => {
        lastError = err;
        throw err;
      },
    );
    running = p;
    void p
      .catch(() => {})
      .finally(() => {
        if (running === p) running = null;
      });
    return p;
  };
  const source = async (opts: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<Inventory> => {
    if (opts.fresh || !current) return refresh(opts.signal);
    if (o.clock.now() - current.at > maxAge && !running) refresh().catch((err: unknown) => o.onError?.(err));
    return current.value;
  };
  const invalidate = () => {
    current = null;
  };
  const snapshot = () => ({ at: current?.at ?? null, lastError });
  return Object.assign(source, { invalidate, snapshot });
}
