/** Hand-made plans for tests that need a stored plan without planning one. */
import type { Move, Plan } from '../../planner/index.js';
import type { ServiceStore } from '../../src/store/port.js';

/** What moves where, without estimates: for comparing the moves of two plans. */
export const movesOf = (moves: readonly Move[]) => moves.map((m) => ({ instance: m.instance, from: m.from, to: m.to }));

/** A live move of `id` (also its name) from `from` to `to` in wave 0. */
export function mv(id: string, from: string, to: string, over: Partial<Move> = {}): Move {
  return {
    instance: id,
    name: id,
    from,
    to,
    mode: 'live',
    wave: 0,
    estimatedSeconds: 5,
    timeoutSeconds: 3200,
    gib: 4,
    ...over,
  };
}

/** A plan of `moves`: by default a drain of their sources, with zero metrics. */
export function planOf(moves: Move[], feasible = true, over: Partial<Plan> = {}): Plan {
  return {
    goal: 'drain',
    target: { hosts: [...new Set(moves.map((m) => m.from))] },
    feasible,
    moves,
    unplaced: [],
    metrics: {
      before: {},
      after: {},
      moves: moves.length,
      gibToCopy: 0,
      waves: moves.length ? 1 : 0,
      method: 'test',
      objective: 0,
      lowerBound: 0,
      gap: 0,
    },
    ...over,
  };
}

/**
 * Stores a nightly balance, ended `agoMs` before `now`, whose one move brought `instance` to its
 * host: the instance is then within the cool-down.
 */
export async function recordRecentMove(
  store: ServiceStore,
  instance: { id: string; name: string; host: string },
  now: number,
  agoMs = 3_000_000,
): Promise<string> {
  const move = mv(instance.id, 'elsewhere', instance.host, {
    name: instance.name,
    estimatedSeconds: 1,
    timeoutSeconds: 800,
    gib: 1,
  });
  const plan = planOf([move], true, { goal: 'balance', target: {} });
  const rec = await store.createPlan({ plan, source: 'nightly', at: now - agoMs - 600_000 });
  await store.updateMove(rec.id, 0, { state: 'succeeded', endedAt: now - agoMs }, now - agoMs);
  await store.setPlanStatus(rec.id, 'succeeded', now - agoMs);
  return rec.id;
}
