/**
 * The placement problem the solvers share: units (one instance, or an affinity group moving
 * together) with their candidate hosts, over a usage state; and the objective every solver and
 * the lower bound speak about.
 *
 * Objective: the peak utilisation over receiving hosts (hosts that get at least one unit), where
 * a host's utilisation is the largest of its CPU-allocation fraction, memory-allocation fraction
 * and, when the host has a measurement, measured CPU (physical cores busy / physical cores).
 * Hosts that receive nothing do not count: a hot host left alone is not made worse by the plan.
 */
import type { ClusterView, Demand, UsageState } from '../constraints/index.js';
import { addInstance, cloneUsage, fits, groupCheck, removeInstance } from '../constraints/index.js';

export interface Unit {
  /** Instance indexes that move together (one, or the drained members of an affinity group). */
  members: number[];
  /** The member whose rules (server group, CPU) stand for the unit in dynamic checks. */
  rep: number;
  /** Summed demand of the members. */
  demand: Demand;
  /** Host indexes that pass every static rule and the initial server group rules, in view order. */
  candidates: number[];
  /** The same hosts as a set, for O(1) membership tests. */
  allowed: ReadonlySet<number>;
  /** Anti-affinity group of the unit, if any (the exact model needs it). */
  antiGroup: string | null;
}

export interface Problem {
  view: ClusterView;
  /** Usage before any unit is placed. Never mutated by solvers. */
  base: UsageState;
  units: Unit[];
}

/** Host per unit (-1: unplaced), plus how it was found and what it is worth. */
export interface Solution {
  hostOf: Int32Array;
  method: string;
  objective: number;
  lowerBound: number;
}

const ratio = (x: number, cap: number) => (cap > 0 ? x / cap : x > 0 ? Infinity : 0);

/** Utilisation of host `h` in state `s` (see the module comment). */
export function hostPeak(view: ClusterView, s: UsageState, h: number): number {
  const c = view.capacity;
  let p = Math.max(ratio(s.vcpus[h], c.vcpus[h]), ratio(s.memoryMb[h], c.memoryMb[h]));
  const host = view.hosts[h];
  if (host.cpuUsage !== null) p = Math.max(p, ratio(s.cores[h], host.vcpus));
  return p;
}

/** Utilisation of host `h` if demand `d` were added (`sign` -1: removed), without changing `s`. */
export function peakWith(view: ClusterView, s: UsageState, h: number, d: Demand, sign: 1 | -1 = 1): number {
  const c = view.capacity;
  let p = Math.max(
    ratio(s.vcpus[h] + sign * d.vcpus, c.vcpus[h]),
    ratio(s.memoryMb[h] + sign * d.memoryMb, c.memoryMb[h]),
  );
  const host = view.hosts[h];
  if (host.cpuUsage !== null) p = Math.max(p, ratio(s.cores[h] + sign * d.cores, host.vcpus));
  return p;
}

/** True when unit `u` may go to host `h` now: server groups and capacity (static rules were checked). */
export function unitFits(p: Problem, s: UsageState, u: Unit, h: number): boolean {
  return fits(p.view, s, h, u.demand) && groupCheck(p.view, s, u.rep, h).ok;
}

export function placeUnit(p: Problem, s: UsageState, u: Unit, h: number): void {
  for (const m of u.members) addInstance(p.view, s, m, h);
}

export function unplaceUnit(p: Problem, s: UsageState, u: Unit, h: number): void {
  for (const m of u.members) removeInstance(p.view, s, m, h);
}

/** Comparable worth of an assignment: more placed first, larger placed first, then lower peak. */
export interface Score {
  placed: number;
  placedMemoryMb: number;
  peak: number;
}

/** Applies an assignment to a copy of the base state, checking every placement; null if one is invalid. */
export function applyAssignment(p: Problem, hostOf: Int32Array): UsageState | null {
  const s = cloneUsage(p.base);
  for (let k = 0; k < p.units.length; k++) {
    const h = hostOf[k];
    if (h < 0) continue;
    const u = p.units[k];
    if (!u.allowed.has(h) || !unitFits(p, s, u, h)) return null;
    placeUnit(p, s, u, h);
  }
  return s;
}

/** Score of an assignment, or null when it breaks a rule. */
export function scoreOf(p: Problem, hostOf: Int32Array): Score | null {
  const s = applyAssignment(p, hostOf);
  if (!s) return null;
  let placed = 0;
  let placedMemoryMb = 0;
  let peak = 0;
  for (let k = 0; k < p.units.length; k++) {
    if (hostOf[k] < 0) continue;
    placed += p.units[k].members.length;
    placedMemoryMb += p.units[k].demand.memoryMb;
    peak = Math.max(peak, hostPeak(p.view, s, hostOf[k]));
  }
  return { placed, placedMemoryMb, peak };
}

/** True when `a` is strictly better than `b`. */
export function better(a: Score, b: Score): boolean {
  if (a.placed !== b.placed) return a.placed > b.placed;
  if (Math.abs(a.placedMemoryMb - b.placedMemoryMb) > 1e-6) return a.placedMemoryMb > b.placedMemoryMb;
  return a.peak < b.peak - 1e-9;
}
