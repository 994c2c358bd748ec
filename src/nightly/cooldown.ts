/**
 * Anti-oscillation: instances moved within the cool-down are frozen, so a balance never moves
 * an instance back and forth between nights. Read from the store's move records.
 */
import type { MoveState } from '../../executor/store.js';
import type { ServiceStore } from '../store/port.js';

/** Moves that are under way count as moved: the instance is about to land somewhere new. */
const ACTIVE: readonly MoveState[] = ['prechecking', 'migrating', 'verifying'];

/** Store methods the cool-down needs. */
export type MoveHistory = Pick<ServiceStore, 'listPlans' | 'listMoves'>;

/**
 * Ids of instances whose move succeeded at or after `since` (epoch ms) or is in flight.
 * Plans not updated since `since` cannot hold such a move and are not read.
 */
export async function recentlyMovedInstances(store: MoveHistory, since: number, planLimit = 1000): Promise<string[]> {
  const ids = new Set<string>();
  for (const p of await store.listPlans({ limit: planLimit })) {
    if (p.updatedAt < since) continue;
    for (const m of await store.listMoves(p.id)) {
      const landed = m.state === 'succeeded' && (m.endedAt ?? -Infinity) >= since;
      if (landed || ACTIVE.includes(m.state)) ids.add(m.move.instance);
    }
  }
  return [...ids].sort();
}
