/**
 * A proven lower bound on the peak objective (see problem.ts) for placing a given set of units.
 * Two arguments, the larger wins:
 * - every unit lands somewhere, so the peak is at least the lowest utilisation any candidate host
 *   reaches with that unit alone added (max over units of min over hosts);
 * - fluid ("water-filling"): per utilisation dimension, if the peak is t then each receiving host
 *   absorbs at most t x capacity - current usage, so the units' total demand must fit under the
 *   water level t over the candidate hosts; the smallest such t is a bound. Capacity limits and
 *   integrality are relaxed, which only lowers it.
 */
import type { ClusterView, UsageState } from '../constraints/index.js';
import type { Problem } from './problem.js';
import { peakWith, unitFits } from './problem.js';

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
    { cap: (h) => v.capacity.vcpus[h], used: (h) => s.vcpus[h], demand: (k) => p.units[k].demand.vcpus, defined: always },
    { cap: (h) => v.capacity.memoryMb[h], used: (h) => s.memoryMb[h], demand: (k) => p.units[k].demand.memoryMb, defined: always },
    { cap: (h) => v.hosts[h].vcpus, used: (h) => s.cores[h], demand: (k) => p.units[k].demand.cores, defined: (h) => v.hosts[h].cpuUsage !== null },
  ];
}

/** Smallest water level t with sum over hosts of max(0, t x cap - used) >= total. */
export function waterLevel(hosts: { cap: number; used: number }[], total: number): number {
  const list = hosts.filter((x) => x.cap > 0).sort((a, b) => a.used / a.cap - b.used / b.cap);
  if (list.length === 0 || total <= 0) return 0;
  let capSum = 0;
  let usedSum = 0;
  for (let j = 0; j < list.length; j++) {
    capSum += list[j].cap;
    usedSum += list[j].used;
    const t = (total + usedSum) / capSum;
    const next = j + 1 < list.length ? list[j + 1].used / list[j + 1].cap : Infinity;
    if (t <= next) return t;
  }
  return (total + usedSum) / capSum;
}

function fluidBound(p: Problem, placed: number[]): number {
  const hosts = new Set<number>();
  for (const k of placed) for (const h of p.units[k].candidates) hosts.add(h);
  let bound = 0;
  for (const d of dims(p)) {
    if ([...hosts].some((h) => !d.defined(h))) continue; // demand could go where this dimension is not measured
    const total = placed.reduce((sum, k) => sum + d.demand(k), 0);
    bound = Math.max(bound, waterLevel([...hosts].map((h) => ({ cap: d.cap(h), used: d.used(h) })), total));
  }
  return bound;
}

function singleUnitBound(p: Problem, placed: number[]): number {
  let bound = 0;
  for (const k of placed) {
    const u = p.units[k];
    let least = Infinity;
    for (const h of u.candidates) if (unitFits(p, p.base, u, h)) least = Math.min(least, peakWith(p.view, p.base, h, u.demand));
    if (least < Infinity) bound = Math.max(bound, least);
  }
  return bound;
}

/** Lower bound on the peak of any assignment that places exactly the units placed in `hostOf`. */
export function lowerBound(p: Problem, hostOf: Int32Array): number {
  const placed: number[] = [];
  for (let k = 0; k < hostOf.length; k++) if (hostOf[k] >= 0) placed.push(k);
  if (placed.length === 0) return 0;
  return Math.max(fluidBound(p, placed), singleUnitBound(p, placed));
}
