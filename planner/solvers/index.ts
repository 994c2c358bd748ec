/**
 * Chooses and runs a placement method. The heuristic always runs (it is fast and gives the
 * incumbent); the exact model runs when asked, or under `auto` when it is small enough. The
 * better assignment wins (more placed, then lower peak); a proven exact optimum becomes the
 * lower bound, otherwise the analytical bound of bound.ts is reported.
 */
import type { Problem, Solution } from './problem.js';
import { better, scoreOf } from './problem.js';
import { solveHeuristic } from './heuristic.js';
import { exactSize, solveExact } from './exact.js';
import { lowerBound } from './bound.js';

export type { Problem, Solution, Unit } from './problem.js';

/**
 * Largest exact model attempted, in integer variables, for `auto` and `exact` alike.
 * Measured on random drains: up to 40 VMs x 50 hosts (~2,000 variables) the library returns
 * within its time limit; on a 60 VM x 50 host model (~2,900) its simplex never returned, and a
 * synchronous call cannot be interrupted, so larger models always use the heuristic.
 */
export const EXACT_MAX_VARIABLES = 2000;

export interface SolveOptions {
  /** @default 'auto' */
  method?: 'auto' | 'heuristic' | 'exact';
  /** Clock in ms for the exact solver's proof of optimality. */
  now?: () => number;
  /** Time budget of the exact solver in ms. @default 2000 */
  exactTimeLimitMs?: number;
}

/** Places the units of `p`; units left at -1 could not be placed. */
export function solvePlacement(p: Problem, o: SolveOptions = {}): Solution {
  const heuristic = solveHeuristic(p);
  const all = heuristic.score.placed === p.units.reduce((n, u) => n + u.members.length, 0);
  const incumbent = all ? heuristic.objective : 1e6;
  const method = o.method ?? 'auto';
  const bound0 = lowerBound(p, heuristic.hostOf, heuristic.objective);
  const closed = all && heuristic.objective - bound0 <= 1e-9; // the bound already proves the heuristic optimal
  const small = () => exactSize(p, incumbent) <= EXACT_MAX_VARIABLES;
  const tryExact = p.units.length > 0 && method !== 'heuristic' && !(method === 'auto' && closed) && small();
  let best: Solution = { ...heuristic, lowerBound: 0 };
  let proven: number | null = null;
  if (tryExact) {
    const exact = solveExact(p, { incumbent, timeLimitMs: o.exactTimeLimitMs, now: o.now });
    if (exact) {
      if (exact.proven) proven = exact.peak;
      const score = scoreOf(p, exact.hostOf)!;
      if (better(score, heuristic.score)) best = { hostOf: exact.hostOf, method: 'exact-lp', objective: exact.peak, lowerBound: 0 };
    }
  }
  const bound = proven ?? (best.hostOf === heuristic.hostOf ? bound0 : lowerBound(p, best.hostOf, best.objective));
  return { ...best, lowerBound: Math.min(bound, best.objective) };
}
