/**
 * A proven lower bound on the peak objective (see problem.ts) for placing a given set of units.
 * Two arguments, the larger wins:
 * - every unit lands somewhere, so the peak is at least the lowest utilisation any candidate host
 *   reaches with that unit alone added (max over units of min over hosts);
 * - packing: per utilisation dimension, if the peak is t then each receiving host absorbs at most
 *   t x capacity - current usage, and each unit needs a host where it fits alone under t; the
 *   smallest t where a split (fractional) packing exists is a bound (see fitsUnderLevel). It
 *   contains the fluid "water-filling" bound and is much tighter when many units need room;
 * - dominance: see dominanceBound.
 */
import type { ClusterView, Demand, UsageState } from '../constraints/index.js';
import type { Problem } from './problem.js';
import { hostPeak, peakWith, unitFits } from './problem.js';

interface Dim {
  cap: (h: number) => number;
  used: (h: number) => number;
  demand: (k: number) => number;
  /** False where the dimension does not exist on a host (no CPU measurement). */
  defined: (h: number) => boolean;
}

function dims(p: Problem): Dim[] {
  const v: ClusterView = p.view;
  const s: UsageState = p.base;
  const always = () => true;
  return [
    {
      cap: (h) => v.capacity.vcpus[h],
      used: (h) => s.vcpus[h],
      demand: (k) => p.units[k].demand.vcpus,
      defined: always,
    },
    {
      cap: (h) => v.capacity.memoryMb[h],
      used: (h) => s.memoryMb[h],
      demand: (k) => p.units[k].demand.memoryMb,
      defined: always,
    },
    {
      cap: (h) => v.hosts[h].vcpus,
      used: (h) => s.cores[h],
      demand: (k) => p.units[k].demand.cores,
      defined: (h) => v.hosts[h].cpuUsage !== null,
    },
  ];
}

/**
 * Could units with demands `demands` (one dimension) fit under level t? Host h offers
 * slack(h) = min(t x cap - used, cap - used) (the second term only for allocation, which is also
 * a hard capacity), and nothing when another dimension of h is already above t. Relaxation: a
 * unit may be split, but only over hosts whose slack is at least the unit's whole demand (it
 * must fit somewhere alone). Those host sets are nested (bigger units
 * have fewer), so by Hall's theorem it is feasible iff for every k the k largest units fit in the
 * hosts eligible for the k-th largest.
 */
export function fitsUnderLevel(
  hosts: readonly HostLoad[],
  demands: readonly number[],
  t: number,
  hard: boolean,
): boolean {
  // Typed and sorted ascending, read from the end (largest first): the bisection calls this ~40 times per dimension.
  const buffer = new Float64Array(hosts.length);
  let n = 0;
  for (const x of hosts) {
    const v = x.floor > t ? 0 : Math.min(t * x.cap - x.used, hard ? x.cap - x.used : Infinity);
    if (v > 0) buffer[n++] = v;
  }
  const slack = buffer.subarray(0, n).sort();
  let j = n - 1;
  let offered = 0;
  let needed = 0;
  for (const d of demands) {
    while (j >= 0 && slack[j] >= d - 1e-9) offered += slack[j--];
    needed += d;
    if (needed > offered + 1e-9) return false;
  }
  return true;
}

interface HostLoad {
  cap: number;
  used: number;
  /** Current utilisation over every dimension: above t, the host cannot receive at level t at all. */
  floor: number;
}

/** Largest level proven infeasible (by fitsUnderLevel) below `hi`, by bisection from `lo`. */
function levelBound(hosts: HostLoad[], demands: number[], hard: boolean, lo: number, hi: number): number {
  if (demands.every((d) => d <= 0) || fitsUnderLevel(hosts, demands, lo, hard)) return lo;
  for (let step = 0; step < 40 && hi - lo > 1e-7 * Math.max(1, hi); step++) {
    const mid = (lo + hi) / 2;
    if (fitsUnderLevel(hosts, demands, mid, hard)) hi = mid;
    else lo = mid;
  }
  return lo;
}

function packingBound(p: Problem, placed: number[], hi: number): number {
  const hostSet = new Set<number>();
  for (const k of placed) for (const h of p.units[k].candidates) hostSet.add(h);
  const hosts = [...hostSet];
  let bound = 0;
  dims(p).forEach((d, j) => {
    if (hosts.some((h) => !d.defined(h))) return; // demand could go where this dimension is not measured
    const loads = hosts
      .map((h) => ({ cap: d.cap(h), used: d.used(h), floor: hostPeak(p.view, p.base, h) }))
      .filter((x) => x.cap > 0);
    const demands = placed.map((k) => d.demand(k)).sort((a, b) => b - a);
    bound = Math.max(bound, levelBound(loads, demands, j < 2, 0, hi));
  });
  return bound;
}

function singleUnitBound(p: Problem, placed: number[]): number {
  let bound = 0;
  for (const k of placed) {
    const u = p.units[k];
    let least = Infinity;
    for (const h of u.candidates)
      if (unitFits(p, p.base, u, h)) least = Math.min(least, peakWith(p.view, p.base, h, u.demand));
    if (least < Infinity) bound = Math.max(bound, least);
  }
  return bound;
}

const dominates = (a: Demand, b: Demand) =>
  a.vcpus >= b.vcpus && a.memoryMb >= b.memoryMb && a.diskGb >= b.diskGb && a.cores >= b.cores;
const twice = (d: Demand): Demand => ({
  vcpus: 2 * d.vcpus,
  memoryMb: 2 * d.memoryMb,
  diskGb: 2 * d.diskGb,
  cores: 2 * d.cores,
});

/**
 * Big units crowd each other out: take the m units at least as large as unit u in every
 * resource. Either two of them share a host (peak >= the least a host reaches with twice u's
 * demand) or they use m distinct hosts (peak >= the m-th lowest level a host reaches with u).
 */
function dominanceBound(p: Problem, placed: number[]): number {
  const hostSet = new Set<number>();
  for (const k of placed) for (const h of p.units[k].candidates) hostSet.add(h);
  const hosts = [...hostSet];
  const levels = new Float64Array(hosts.length);
  // units of one flavour share their demand: each distinct demand is argued once
  const seen = new Set<string>();
  let bound = 0;
  for (const k of placed) {
    const d = p.units[k].demand;
    const key = `${d.vcpus}/${d.memoryMb}/${d.diskGb}/${d.cores}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let m = 0;
    for (const j of placed) if (dominates(p.units[j].demand, d)) m++;
    if (m < 2) continue;
    const d2 = twice(d);
    let shared = Infinity;
    for (const h of hosts) shared = Math.min(shared, peakWith(p.view, p.base, h, d2));
    if (shared <= bound) continue; // min(distinct, shared) cannot raise the bound
    if (m > hosts.length) {
      bound = shared;
      continue;
    }
    hosts.forEach((h, x) => {
      levels[x] = peakWith(p.view, p.base, h, d);
    });
    levels.sort();
    bound = Math.max(bound, Math.min(levels[m - 1], shared));
  }
  return bound;
}

/**
 * Lower bound on the peak of any assignment that places exactly the units placed in `hostOf`;
 * `upper` is the peak of a known such assignment (the bisection's ceiling).
 */
export function lowerBound(p: Problem, hostOf: Int32Array, upper: number): number {
  const placed: number[] = [];
  for (let k = 0; k < hostOf.length; k++) if (hostOf[k] >= 0) placed.push(k);
  if (placed.length === 0) return 0;
  return Math.max(packingBound(p, placed, upper), singleUnitBound(p, placed), dominanceBound(p, placed));
}
