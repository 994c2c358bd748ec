/**
 * The balance search on one cell: repeatedly take the move (or, when no single move helps, the
 * exchange of two instances) with the best objective gain per GiB copied, looking only at the
 * most loaded hosts as sources and the least loaded as destinations, until the imbalance is below
 * the threshold, the move budget is spent, or nothing left is worth its GiB.
 */
import { checkTarget } from '../constraints/check.js';
import { addInstance, removeInstance } from '../constraints/state.js';
import { hostSet } from './candidates.js';
import type { CellPlacement } from './placement.js';

/**
 * Smallest gain worth one second of migration (see CellPlacement.cost). Gains are host-normalised
 * (objective change x hosts in the cell), so the figure does not depend on the cell's size.
 */
export const MIN_GAIN_PER_SECOND = 0.002;
/** Sources and destinations looked at per step before widening. */
const SOURCES = 4;
const DESTINATIONS = 8;
const MAX_DESTINATIONS = 64;
/**
 * A candidate scored in a scan is still taken later in the round if it keeps this share of its
 * score; lower shares save scans but take stale moves (0.5 cost ~8 % more GiB on the benchmark).
 */
const KEEP_SHARE = 0.95;
/**
 * Candidate evaluations one cell may spend (about 1-2 s). A generated 1,000-host cell needs
 * ~0.5 M; the budget matters only when the spread creeps down by crumbs (e.g. measured CPU that
 * instance sizes keep just above the threshold), where further moves buy little.
 */
export const EVALUATION_BUDGET = 8_000_000;
/** Exchanges cost hosts x instances squared, so they look at fewer hosts. */
const SWAP_SOURCES = 2;
const SWAP_DESTINATIONS = 4;
/** Widening stops here: past it a step would cost more than it is likely to find. */
const MAX_SOURCES = 16;

/**
 * The search's objective stops rewarding a spread at this share of the threshold, not at the
 * threshold itself: otherwise the last step across it earns only the crumb below it, less than
 * any move costs, and the search could stall a hair above the threshold.
 */
const FLOOR_SHARE = 0.97;

export interface SearchLimits {
  /** Stop once `obj.imbalance()` is below this. */
  threshold: number;
  /** Most instances the cell may move. */
  maxMoves: number;
  /** Most migration seconds (CellPlacement.cost of the moved instances) the cell may spend. @default Infinity */
  maxSeconds?: number;
  /** Longest single migration allowed, in seconds. @default Infinity */
  maxMoveSeconds?: number;
  /**
   * Apply only the best candidate of each scan (best improvement) instead of a round of them: a
   * scan per move, for budgets that bind, where every move must count. @default false
   */
  single?: boolean;
}

/** How a search ended: `budget` when a move or time budget stopped it above the threshold. */
export type SearchEnd = 'threshold' | 'budget' | 'no-gain';

interface Swap {
  score: number;
  moves: Array<{ i: number; to: number }>;
}

function sides(p: CellPlacement, k: number, l: number): { src: number[]; dst: number[] } {
  const metrics = [p.obj.mem, p.obj.cpu];
  return { src: hostSet(metrics, k, false), dst: hostSet(metrics, l, true) };
}

/** Candidate evaluations so far: the search stops past EVALUATION_BUDGET (deterministic, unlike a clock). */
interface Work {
  evaluations: number;
}

interface Candidate {
  score: number;
  i: number;
  a: number;
  b: number;
}

/**
 * Ranking score of moving `i` from objective host `a` to `b`: host-normalised gain per ranked
 * second, or -Infinity when the gain is not worth the move's real cost or it exceeds the budget.
 */
function scoreOf(p: CellPlacement, i: number, a: number, b: number, limits: SearchLimits): number {
  const gain = -p.deltaLocal(i, a, b) * p.obj.n;
  if (
    gain < MIN_GAIN_PER_SECOND * p.cost(i) ||
    !p.fitsSeconds(i, limits.maxSeconds ?? Infinity, limits.maxMoveSeconds ?? Infinity)
  )
    return -Infinity;
  return gain / p.rankCost(i);
}

/** The best worthwhile move for each (source, destination) pair of hosts (objective indexes), best first. */
function singleCandidates(p: CellPlacement, k: number, l: number, work: Work, limits: SearchLimits): Candidate[] {
  const { src, dst } = sides(p, k, l);
  const out: Candidate[] = [];
  for (const a of src) {
    work.evaluations += p.onHost[a].length * dst.length;
    for (const b of dst) {
      if (b === a) continue;
      let best: Candidate | null = null;
      for (const i of p.onHost[a]) {
        if (!p.movable(i)) continue;
        const score = scoreOf(p, i, a, b, limits);
        if (score === -Infinity || (best && score <= best.score)) continue;
        if (!checkTarget(p.view, i, p.hostOf[b], p.usage).ok) continue;
        best = { score, i, a, b };
      }
      if (best) out.push(best);
    }
  }
  return out.sort((x, y) => y.score - x.score || x.i - y.i);
}

/**
 * Applies the candidates best first, each re-scored against the state the ones before it left:
 * one that lost more than half of its value (its hosts changed meanwhile) waits for the next
 * scan. Returns how many were applied.
 */
function applyRound(p: CellPlacement, cands: readonly Candidate[], limits: SearchLimits): number {
  let applied = 0;
  for (const c of cands) {
    if (p.moved.length >= limits.maxMoves || p.obj.imbalance() < limits.threshold) break;
    if (p.local[p.loc[c.i]] !== c.a) continue;
    const score = scoreOf(p, c.i, c.a, c.b, limits);
    if (score === -Infinity || score < KEEP_SHARE * c.score) continue;
    if (!checkTarget(p.view, c.i, p.hostOf[c.b], p.usage).ok) continue;
    p.apply(c.i, p.hostOf[c.b]);
    applied++;
  }
  return applied;
}

/** End-state check of an exchange: each instance fits where the other one leaves room. */
function swapAllowed(p: CellPlacement, i: number, a: number, j: number, b: number): boolean {
  const { view, usage } = p;
  removeInstance(view, usage, i, a);
  removeInstance(view, usage, j, b);
  const ok = checkTarget(view, i, b, usage).ok && checkTarget(view, j, a, usage).ok;
  addInstance(view, usage, i, a);
  addInstance(view, usage, j, b);
  return ok;
}

/** Whether moving both `i` and `j` fits the time budget. */
function fitsBoth(p: CellPlacement, i: number, j: number, limits: SearchLimits): boolean {
  const max = limits.maxSeconds ?? Infinity;
  const single = limits.maxMoveSeconds ?? Infinity;
  if (p.seconds[i] > single || p.seconds[j] > single) return false;
  if (max === Infinity) return true;
  const away = (x: number) => (p.loc[x] !== p.home(x) ? 0 : p.seconds[x]);
  return p.spentSeconds + away(i) + away(j) <= max;
}

function bestSwap(p: CellPlacement, k: number, l: number, work: Work, limits: SearchLimits): Swap | null {
  const { src, dst } = sides(p, k, l);
  const n = p.obj.n;
  let best: Swap | null = null;
  for (const a of src) {
    for (const b of dst) {
      if (a === b) continue;
      work.evaluations += p.onHost[a].length * p.onHost[b].length;
      for (const i of p.onHost[a]) {
        if (!p.movable(i)) continue;
        for (const j of p.onHost[b]) {
          if (!p.movable(j)) continue;
          const gain = -p.obj.deltaSwap(p.view.instances[i], a, p.view.instances[j], b) * n;
          if (gain < MIN_GAIN_PER_SECOND * (p.cost(i) + p.cost(j)) || !fitsBoth(p, i, j, limits)) continue;
          const score = gain / (p.rankCost(i) + p.rankCost(j));
          if (best && score <= best.score) continue;
          if (!swapAllowed(p, i, p.hostOf[a], j, p.hostOf[b])) continue;
          best = {
            score,
            moves: [
              { i, to: p.hostOf[b] },
              { i: j, to: p.hostOf[a] },
            ],
          };
        }
      }
    }
  }
  return best;
}

/** Runs the search until a stop condition holds; moves are applied to `p`. */
export function improve(p: CellPlacement, limits: SearchLimits): SearchEnd {
  const n = p.obj.n;
  p.obj.floor = limits.threshold * FLOOR_SHARE;
  let k = SOURCES;
  const work: Work = { evaluations: 0 };
  while (work.evaluations < EVALUATION_BUDGET) {
    if (p.obj.imbalance() < limits.threshold) return 'threshold';
    if (p.moved.length >= limits.maxMoves) return 'budget';
    const l = Math.min(MAX_DESTINATIONS, DESTINATIONS * Math.ceil(k / SOURCES));
    const cands = singleCandidates(p, k, l, work, limits);
    if (applyRound(p, limits.single ? cands.slice(0, 1) : cands, limits) > 0) {
      k = SOURCES;
      continue;
    }
    if (k < Math.min(n, MAX_SOURCES)) {
      k = Math.min(n, k * 4);
      continue;
    }
    const swap = bestSwap(p, SWAP_SOURCES, SWAP_DESTINATIONS, work, limits);
    if (swap && p.moved.length + swap.moves.length > limits.maxMoves) return 'budget';
    // with a time budget, it may be what barred the last candidates: worth trying other prices
    if (!swap) return (limits.maxSeconds ?? Infinity) < Infinity ? 'budget' : 'no-gain';
    for (const m of swap.moves) p.apply(m.i, m.to);
    k = SOURCES;
  }
  return 'no-gain';
}
