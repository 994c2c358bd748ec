/**
 * Re-plan chains: a plan that failed is superseded by a new one (`supersedes` / `supersededBy`
 * link them both ways). The one walk over those links, for the executor and the service.
 */
import type { ExecutorStore, PlanRecord } from './store.js';

/** Longest chain followed: a guard against a corrupted store linking plans in a circle. */
const MAX_CHAIN = 1000;

/** Ids of the whole re-plan chain `planId` belongs to, oldest first. */
export async function planChain(store: Pick<ExecutorStore, 'getPlan'>, planId: string): Promise<string[]> {
  const ids: string[] = [];
  const seen = new Set<string>();
  let first = planId;
  for (let id = (await store.getPlan(planId))?.supersedes ?? null; id && !seen.has(id) && seen.size < MAX_CHAIN; ) {
    seen.add(id);
    first = id;
    id = (await store.getPlan(id))?.supersedes ?? null;
  }
  seen.clear();
  for (let id: string | null = first; id && !seen.has(id) && seen.size < MAX_CHAIN; ) {
    seen.add(id);
    ids.push(id);
    id = (await store.getPlan(id))?.supersededBy ?? null;
  }
  return ids;
}

/** The newest plan of the chain `planId` belongs to (cancelling an old id cancels its successor). */
export async function latestOfChain(store: Pick<ExecutorStore, 'getPlan'>, planId: string): Promise<PlanRecord | null> {
  const chain = await planChain(store, planId);
  return store.getPlan(chain[chain.length - 1] ?? planId);
}
