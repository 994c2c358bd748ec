/**
 * Re-plan chains: a plan that failed is superseded by a new one (`supersedes` / `supersededBy`
 * link them both ways). The one walk over those links, for the executor and the service.
 */
import type { ExecutorStore, PlanRecord } from './store.js';

/** Longest chain followed: a guard against a corrupted store linking plans in a circle. */
const MAX_CHAIN = 1000;

/** Ids of the whole re-plan chain `planId` belongs to, oldest first. */
export function planChain(store: Pick<ExecutorStore, 'getPlan'>, planId: string): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  let first = planId;
  for (let id = store.getPlan(planId)?.supersedes ?? null; id && !seen.has(id) && seen.size < MAX_CHAIN; ) {
    seen.add(id);
    first = id;
    id = store.getPlan(id)?.supersedes ?? null;
  }
  seen.clear();
  for (let id: string | null = first; id && !seen.has(id) && seen.size < MAX_CHAIN; ) {
    seen.add(id);
    ids.push(id);
    id = store.getPlan(id)?.supersededBy ?? null;
  }
  return ids;
}

/** The newest plan of the chain `planId` belongs to (cancelling an old id cancels its successor). */
export function latestOfChain(store: Pick<ExecutorStore, 'getPlan'>, planId: string): PlanRecord | null {
  const chain = planChain(store, planId);
  return store.getPlan(chain[chain.length - 1] ?? planId);
}
