/** Reading a re-plan chain: what to exclude when re-planning, and the outcome summary. */
import type { Exclusion } from '../planner/index.js';
import { planChain } from './chain.js';
import type { ExecutorStore, MoveRecord, MoveState, StoredError } from './store.js';

/** Codes meaning the destination host itself is unusable (not only for this VM). */
const HOST_DOWN_CODES = ['DEST_UNREACHABLE', 'DEST_DISABLED', 'HOST_UNREACHABLE'];

/** Plan ids from the first plan of the chain to `planId`. */
export async function chainOf(store: ExecutorStore, planId: string): Promise<string[]> {
  const chain = await planChain(store, planId);
  return chain.slice(0, chain.indexOf(planId) + 1);
}

/** Moves that went wrong anywhere in the chain, oldest plan first. */
async function troubled(store: ExecutorStore, planId: string): Promise<MoveRecord[]> {
  const moves: MoveRecord[] = [];
  for (const id of await chainOf(store, planId))
    moves.push(...(await store.listMoves(id)).filter((m) => ['failed', 'timed_out'].includes(m.state)));
  return moves;
}

/** Exclusions (that instance -> that host; a dead host entirely) and hosts to avoid. */
export async function replanInputs(
  store: ExecutorStore,
  planId: string,
): Promise<{ exclusions: Exclusion[]; avoidHosts: string[] }> {
  const exclusions: Exclusion[] = [];
  const avoid = new Set<string>();
  for (const m of await troubled(store, planId)) {
    if (m.error && HOST_DOWN_CODES.includes(m.error.code)) avoid.add(m.move.to);
    else exclusions.push({ instance: m.move.instance, host: m.move.to });
  }
  for (const h of avoid) exclusions.push({ host: h });
  return { exclusions, avoidHosts: [...avoid] };
}

export interface FailedMove {
  planId: string;
  index: number;
  instance: string;
  name: string;
  from: string;
  to: string;
  state: MoveState;
  error: StoredError | null;
  location: MoveRecord['location'];
}

export interface PlanSummary {
  moves: Record<string, number>;
  /** Moves of the final plan that did not succeed, with why and where the VM is. */
  failed: FailedMove[];
  /** Moves of superseded plans of the chain that did not succeed (re-planned). */
  earlier: FailedMove[];
  unplaced: number;
  replans: number;
  chain: string[];
  error: StoredError | null;
}

const brief = (m: MoveRecord): FailedMove => ({
  planId: m.planId,
  index: m.index,
  instance: m.move.instance,
  name: m.move.name,
  from: m.move.from,
  to: m.move.to,
  state: m.state,
  error: m.error,
  location: m.location,
});

export async function summarise(store: ExecutorStore, planId: string): Promise<PlanSummary> {
  const chain = await chainOf(store, planId);
  const moves = await store.listMoves(planId);
  const counts: Record<string, number> = {};
  for (const m of moves) counts[m.state] = (counts[m.state] ?? 0) + 1;
  const failed = moves.filter((m) => m.state !== 'succeeded').map(brief);
  const earlier: FailedMove[] = [];
  for (const id of chain.slice(0, -1))
    earlier.push(...(await store.listMoves(id)).filter((m) => !['succeeded', 'pending'].includes(m.state)).map(brief));
  const unplaced = (await store.getPlan(planId))?.plan.unplaced.length ?? 0;
  const bad = failed.filter((f) => f.state !== 'cancelled');
  const error = bad.length
    ? {
        code: 'MOVES_FAILED',
        message: `${bad.length} move(s) did not succeed: ${bad
          .slice(0, 5)
          .map((f) => `${f.name} ${f.state}${f.error ? ` (${f.error.code})` : ''}`)
          .join(', ')}`,
      }
    : unplaced
      ? { code: 'UNPLACED', message: `${unplaced} instance(s) could not be placed` }
      : null;
  return { moves: counts, failed, earlier, unplaced, replans: chain.length - 1, chain, error };
}
