/**
 * Heuristic placement: two greedy constructions over units sorted by their demand on the binding
 * resource (largest first), a repair step for units left out, then local search on the peak.
 *
 * - "least-peak" puts each unit where the resulting host utilisation is lowest (the LPT rule for
 *   minimising a maximum), which usually gives the best peak;
 * - "best-fit" puts it where the least binding resource is left over, which packs tighter when
 *   capacity is short.
 * The better result (more placed, then lower peak) is kept. Deterministic: ties go to the lower
 * host index and the lower unit index; no randomness is used.
 */
import type { Problem, Score, Solution } from './problem.js';
import { better, peakWith, scoreOf, unitFits } from './problem.js';
import { newWork, put, type Work } from './work.js';
import { repair } from './repair.js';
import { improvePeak } from './local-search.js';

type Resource = 'vcpus' | 'memoryMb' | 'diskGb';
const RESOURCES: Resource[] = ['vcpus', 'memoryMb', 'diskGb'];

/** Total demand per resource over the free capacity of every candidate host (Infinity when none is free). */
function pressures(p: Problem): Record<Resource, number> {
  const hosts = new Set<number>();
  for (const u of p.units) for (const h of u.candidates) hosts.add(h);
  const out = { vcpus: 0, memoryMb: 0, diskGb: 0 };
  for (const r of RESOURCES) {
    let demand = 0;
    let free = 0;
    for (const u of p.units) demand += u.demand[r];
    for (const h of hosts) free += Math.max(0, p.view.capacity[r][h] - p.base[r][h]);
    out[r] = demand === 0 ? 0 : free > 0 ? demand / free : Infinity;
  }
  return out;
}

/** Pressures per problem object: the heuristic, its capacity test and the branch-and-bound all ask. */
const known = new WeakMap<Problem, Record<Resource, number>>();

function pressure(p: Problem, r: Resource): number {
  let all = known.get(p);
  if (!all) {
    all = pressures(p);
    known.set(p, all);
  }
  return all[r];
}

/** The resource with the highest pressure: the one that decides what fits. */
export function bindingResource(p: Problem): Resource {
  let best: Resource = 'memoryMb';
  let bestRatio = -1;
  for (const r of RESOURCES) {
    const ratio = pressure(p, r);
    if (ratio > bestRatio) [best, bestRatio] = [r, ratio];
  }
  return best;
}

/** Unit indexes, largest demand on `r` first (then memory, vCPU, index). */
export function decreasingOrder(p: Problem, r: Resource): number[] {
  const order = p.units.map((_, k) => k);
  const d = (k: number) => p.units[k].demand;
  return order.sort((a, b) => d(b)[r] - d(a)[r] || d(b).memoryMb - d(a).memoryMb || d(b).vcpus - d(a).vcpus || a - b);
}

type Rule = 'least-peak' | 'best-fit';

function construct(p: Problem, order: number[], rule: Rule, r: Resource): Work {
  const w = newWork(p);
  for (const k of order) {
    const u = p.units[k];
    let bestHost = -1;
    let bestValue = Infinity;
    for (const h of u.candidates) {
      if (!unitFits(p, w.s, u, h)) continue;
      const value =
        rule === 'least-peak' ? peakWith(p.view, w.s, h, u.demand) : p.view.capacity[r][h] - w.s[r][h] - u.demand[r];
      if (value < bestValue - 1e-12) [bestHost, bestValue] = [h, value];
    }
    if (bestHost >= 0) put(w, k, bestHost);
  }
  return w;
}

/** Runs both constructions, repairs, improves, and returns the better assignment with its score. */
export function solveHeuristic(p: Problem): Solution & { score: Score } {
  const r = bindingResource(p);
  const order = decreasingOrder(p, r);
  let best: { w: Work; score: Score; rule: Rule } | null = null;
  for (const rule of ['least-peak', 'best-fit'] as const) {
    const w = construct(p, order, rule, r);
    repair(w, order);
    improvePeak(w);
    const score = scoreOf(p, w.hostOf)!;
    if (!best || better(score, best.score)) best = { w, score, rule };
    if (score.placed === countMembers(p) && rule === 'least-peak' && !hasTightCapacity(p)) break;
  }
  const method = best!.rule === 'least-peak' ? 'heuristic-lpt+ls' : 'heuristic-bfd+ls';
  return { hostOf: best!.w.hostOf, method, objective: best!.score.peak, lowerBound: 0, score: best!.score };
}

function countMembers(p: Problem): number {
  return p.units.reduce((n, u) => n + u.members.length, 0);
}

/** Free capacity below 1.5x the demand on the binding resource: worth trying the packing rule too. */
function hasTightCapacity(p: Problem): boolean {
  return pressure(p, bindingResource(p)) > 1 / 1.5;
}
