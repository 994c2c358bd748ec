/**
 * Chooses and runs a placement method. The heuristic always runs (fast; it gives the incumbent
 * and, with the analytical bound of bound.ts, often a proof already). Unless that bound closes
 * the gap, `exact` and (for small drains whose gap is at least AUTO_GAP_TOLERANCE, with a smaller work budget)
 * `auto` then run the branch-and-bound, and
 * `exact` also the MILP for very small models; the better assignment wins (more placed, then lower peak) and a
 * proven optimum becomes the lower bound.
 */
import type { Problem, Solution } from './problem.js';
import { better, scoreOf } from './problem.js';
import { solveHeuristic } from './heuristic.js';
import { exactSize, solveExact } from './exact.js';
import { BRANCH_BOUND_BUDGET, branchAndBound } from './branch-bound.js';
import { lowerBound } from './bound.js';

export type { Problem, Solution, Unit } from './problem.js';

/**
 * Largest MILP attempted, in integer variables. Measured on random drains: with the peak pinned
 * exactly at the incumbent, javascript-lp-solver's simplex never returned on a 127-variable model
 * (with a little slack it did); a 2,900-variable model never returned either way. A synchronous
 * call cannot be interrupted, so the MILP is kept to models this small; the branch-and-bound,
 * which has a work budget, covers the rest.
 */
export const EXACT_MAX_VARIABLES = 200;

/**
 * Largest drain, in (unit, candidate host) pairs, for which `auto` runs the branch-and-bound.
 * Beyond it the search almost never proves or improves anything (BENCHMARKS.md); larger drains keep
 * the heuristic's plan with its proven gap; `exact` always runs it.
 */
export const AUTO_EXACT_MAX_PAIRS = 1_000;

/**
 * Host evaluations `auto` gives the branch-and-bound (`exact` keeps BRANCH_BOUND_BUDGET). Measured
 * (BENCHMARKS.md, issue 11) on 250 drains of the demo region's 100-host cells: the 12 searches that
 * proved the heuristic optimal needed at most 35,122 evaluations; the other 8 spent the whole 3,000,000
 * (~500 ms each) without improving anything, which set the API's p99. On the bench's random drains the
 * one improvement came at 2,450 and 26,460 evaluations (0.607 -> 0.604; the optimum 0.603 took 574,819).
 * A work count, not a clock, so the same request always gets the same plan.
 */
export const AUTO_BRANCH_BOUND_BUDGET = 50_000;

/**
 * `auto` searches only while the heuristic's proven gap (to the analytical lower bound) is at
 * least this, relative to the bound: the planner's quality target is an optimum or a proven gap
 * under 1 %, which such a plan already meets. Measured on 300 API drains of the demo region (issue
 * 11): 28 ran the search and none was improved; the 19 below 1 % took 89 % of its time (up to 60 ms
 * each, the drains that queued others behind them on a planning worker).
 */
export const AUTO_GAP_TOLERANCE = 0.01;

function pairs(p: Problem): number {
  let n = 0;
  for (const u of p.units) n += u.candidates.length;
  return n;
}

export interface SolveOptions {
  /** @default 'auto' */
  method?: 'auto' | 'heuristic' | 'exact';
  /** Clock in ms for the MILP's proof of optimality. */
  now?: () => number;
  /** Time budget of the MILP in ms. @default 2000 */
  exactTimeLimitMs?: number;
}

type Candidate = Solution & { proven: number | null };

function runExact(
  p: Problem,
  heuristic: ReturnType<typeof solveHeuristic>,
  all: boolean,
  o: SolveOptions,
): Candidate | null {
  const incumbent = all ? heuristic.objective : Infinity;
  let proven: number | null = null;
  let found: Candidate | null = null;
  const bb = branchAndBound(p, incumbent, o.method === 'exact' ? BRANCH_BOUND_BUDGET : AUTO_BRANCH_BOUND_BUDGET);
  if (bb.proven) proven = bb.peak;
  if (bb.hostOf) found = { hostOf: bb.hostOf, method: 'exact-bb', objective: bb.peak, lowerBound: 0, proven };
  // The MILP rarely finishes where the branch-and-bound did not and costs its whole time limit
  // when it fails, so only an explicit `exact` request pays for it.
  if (proven === null && o.method === 'exact' && exactSize(p, Math.min(incumbent, 1e6)) <= EXACT_MAX_VARIABLES) {
    const lp = solveExact(p, { incumbent: Math.min(incumbent, 1e6), timeLimitMs: o.exactTimeLimitMs, now: o.now });
    if (lp?.proven) proven = lp.peak;
    if (lp && (!found || lp.peak < found.objective - 1e-12))
      found = { hostOf: lp.hostOf, method: 'exact-lp', objective: lp.peak, lowerBound: 0, proven };
  }
  if (found) found.proven = proven;
  return found ?? (proven !== null ? { ...heuristic, lowerBound: 0, proven } : null);
}

/** Places the units of `p`; units left at -1 could not be placed. */
export function solvePlacement(p: Problem, o: SolveOptions = {}): Solution {
  const heuristic = solveHeuristic(p);
  const all = heuristic.score.placed === p.units.reduce((n, u) => n + u.members.length, 0);
  const bound0 = lowerBound(p, heuristic.hostOf, heuristic.objective);
  const closed = all && heuristic.objective - bound0 <= 1e-9;
  const method = o.method ?? 'auto';
  let best: Candidate = {
    hostOf: heuristic.hostOf,
    method: heuristic.method,
    objective: heuristic.objective,
    lowerBound: 0,
    proven: null,
  };
  const withinTolerance = all && heuristic.objective - bound0 < AUTO_GAP_TOLERANCE * bound0;
  const wantExact = method === 'exact' || (method === 'auto' && !withinTolerance && pairs(p) <= AUTO_EXACT_MAX_PAIRS);
  if (p.units.length > 0 && wantExact && !closed) {
    const exact = runExact(p, heuristic, all, o);
    if (exact && exact.hostOf !== heuristic.hostOf && better(scoreOf(p, exact.hostOf)!, heuristic.score)) best = exact;
    else if (exact) best.proven = exact.proven;
  }
  const bound = best.proven ?? (best.hostOf === heuristic.hostOf ? bound0 : lowerBound(p, best.hostOf, best.objective));
  return {
    hostOf: best.hostOf,
    method: best.method,
    objective: best.objective,
    lowerBound: Math.min(bound, best.objective),
  };
}
