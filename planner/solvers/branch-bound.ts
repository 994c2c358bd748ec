/**
 * Exact placement by depth-first branch-and-bound with a work budget (deterministic, cannot hang).
 *
 * Units go in decreasing order of their demand on the binding resource; each unit tries the
 * hosts it fits on, lowest resulting utilisation first, and a branch is cut as soon as a host
 * would reach the best peak known (utilisation only grows as units are added). Symmetry: of
 * interchangeable units (same demand, candidates, group) the later one never takes a lower host
 * index than the earlier one. When the search ends inside its budget, the best assignment found
 * (or the incumbent) is optimal.
 */
import type { Problem } from './problem.js';
import { peakWith, unitFits } from './problem.js';
import { bindingResource, decreasingOrder } from './heuristic.js';
import { newWork, put, take, type Work } from './work.js';

/** Host evaluations the search may spend. @default 3,000,000 */
export const BRANCH_BOUND_BUDGET = 3_000_000;

export interface BranchBoundResult {
  /** A strictly better assignment than the incumbent, or null when none was found. */
  hostOf: Int32Array | null;
  peak: number;
  /** True when the search space was exhausted: `peak` is optimal. */
  proven: boolean;
}

interface Search {
  w: Work;
  order: number[];
  /** For each position in `order`, the previous position holding an interchangeable unit, or -1. */
  twin: number[];
  best: number;
  bestHostOf: Int32Array | null;
  left: number;
}

function sameUnit(p: Problem, a: number, b: number): boolean {
  const x = p.units[a];
  const y = p.units[b];
  const dx = x.demand;
  const dy = y.demand;
  return (
    dx.vcpus === dy.vcpus &&
    dx.memoryMb === dy.memoryMb &&
    dx.diskGb === dy.diskGb &&
    dx.cores === dy.cores &&
    x.members.length === 1 &&
    y.members.length === 1 &&
    x.antiGroup === y.antiGroup &&
    x.candidates.length === y.candidates.length &&
    x.candidates.every((h, j) => y.candidates[j] === h)
  );
}

function dive(s: Search, pos: number, peak: number): void {
  if (pos === s.order.length) {
    s.best = peak;
    s.bestHostOf = s.w.hostOf.slice();
    return;
  }
  const p = s.w.p;
  const k = s.order[pos];
  const u = p.units[k];
  const minHost = s.twin[pos] >= 0 ? s.w.hostOf[s.order[s.twin[pos]]] : -1;
  const options: { h: number; v: number }[] = [];
  for (const h of u.candidates) {
    if (--s.left < 0) return;
    if (h < minHost || !unitFits(p, s.w.s, u, h)) continue;
    const v = Math.max(peak, peakWith(p.view, s.w.s, h, u.demand));
    if (v < s.best - 1e-9) options.push({ h, v });
  }
  options.sort((a, b) => a.v - b.v || a.h - b.h);
  for (const o of options) {
    if (o.v >= s.best - 1e-9 || s.left < 0) return;
    put(s.w, k, o.h);
    dive(s, pos + 1, o.v);
    take(s.w, k);
  }
}

/** Searches for an assignment placing every unit with a peak below `incumbent`. */
export function branchAndBound(p: Problem, incumbent: number, budget = BRANCH_BOUND_BUDGET): BranchBoundResult {
  const order = decreasingOrder(p, bindingResource(p));
  const twin = order.map((k, pos) => (pos > 0 && sameUnit(p, order[pos - 1], k) ? pos - 1 : -1));
  const s: Search = { w: newWork(p), order, twin, best: incumbent, bestHostOf: null, left: budget };
  dive(s, 0, 0);
  return { hostOf: s.bestHostOf, peak: s.best, proven: s.left >= 0 };
}
