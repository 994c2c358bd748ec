/**
 * Drains that make room. When a drain leaves units unplaced because no single host has room
 * although the cell has it (fragmentation), other instances of the cell move first, off a
 * candidate host, so the unit fits there.
 *
 * For each left-over unit (largest first) and each candidate host that passes the unit's server
 * group rules now, the cheapest set of instances to move off that host (fewest GiB copied, a
 * bounded exhaustive search, see cover.ts) after which the unit fits; every instance moved off
 * needs a destination of its own under every rule (least peak first), and when it has none, room
 * is made for it the same way, one level further (MAKE_ROOM_DEPTH). Among hosts the fewest GiB in
 * total wins, then the lowest peak of the hosts involved. A move that needed room runs one wave
 * after the moves that made it: those with a direct destination in wave 0, the instances they
 * made room for in wave 1, and so on.
 *
 * Safe at every instant by construction. Every check runs against one conservative state that
 * never takes a departing instance off its host (as if every move were in flight at once): it
 * holds the usage before the plan, every drain arrival and every make-room arrival.
 * - Wave 0 arrivals fit: each was checked against a state holding the earlier ones, and later
 *   checks only see more.
 * - Any arrival A on host h in wave w was checked as conservative(h) - (its own evictions, all
 *   in waves before w) + A <= capacity, and every arrival on h checked later sees a state holding
 *   A. Take the last-checked arrival on h in waves <= w: h's real usage in wave w (usage before,
 *   plus arrivals in waves <= w, minus departures in waves < w) is at most what it was checked
 *   against.
 * - Anti-affinity is checked against the same state, which counts every member where it was,
 *   is, or arrives, so no wave ever brings a member next to another (in flight or not).
 *
 * What may make room: instances on non-drained hosts that can migrate (not pinned, no read-only
 * device on local storage), not frozen, not in an affinity group (its members must end on one
 * host), not moved already by this plan. One level deep: an instance moved to make room goes
 * where it fits now; chains of such moves are not searched.
 */
import type { ClusterView, Demand, UsageState } from '../constraints/index.js';
import {
  addInstance,
  checkTarget,
  cloneUsage,
  fits,
  groupCheck,
  lackOf,
  removeInstance,
  staticCheck,
} from '../constraints/index.js';
import { migrationMode, moveGib } from '../estimate.js';
import type { Problem } from '../solvers/index.js';
import { hostPeak, peakWith } from '../solvers/problem.js';
import { cheapestCover } from './cover.js';

/**
 * Options carried out per subject (each costs a destination search per instance moved off). The
 * cheapest covers come first, so the budget goes to the ties on GiB, compared by peak.
 */
export const MAKE_ROOM_TRIES = 12;

/** Levels of room making: a drained unit's room (1), and room for an instance moved to make it (2). */
export const MAKE_ROOM_DEPTH = 2;

/** A unit placed thanks to make-room moves (or, rarely, one that simply fits now). */
export interface RoomPlacement {
  /** Index of the unit in the problem. */
  unit: number;
  host: number;
  /** One after the latest move that made its room; 0 when it needed none. */
  wave: number;
}

/** An instance moved to make room, in the wave it must run. */
export interface Eviction {
  instance: number;
  to: number;
  wave: number;
}

export interface RoomResult {
  placed: RoomPlacement[];
  evictions: Eviction[];
  /** The conservative state after everything (see the module comment). */
  state: UsageState;
}

/** What needs a host: a drained unit, or an instance moved to make room. */
interface Subject {
  members: readonly number[];
  rep: number;
  demand: Demand;
  hosts: readonly number[];
}

interface Option {
  host: number;
  /** GiB of the instances moved off `host`; a lower bound on the option's total cost. */
  gib: number;
  evict: number[];
  /** Peak of the host after the subject arrives and the evictions leave. */
  peak: number;
}

/** An option carried out in the state: its moves (deepest first) and what it cost. */
interface Settled {
  steps: Eviction[];
  gib: number;
  peak: number;
}

interface Ctx {
  p: Problem;
  s: UsageState;
  /** 1: may move to make room; 0: may not; -1: not computed yet. */
  movable: Int8Array;
  gibOf: Float64Array;
  frozen: ReadonlySet<string>;
  /**
   * Hosts room is being made on, per host the number of open settlements: nothing else may land
   * there meanwhile, or the room measured before the evictions would no longer be there.
   */
  reserved: Int32Array;
}

function canEvict(c: Ctx, i: number): boolean {
  if (c.movable[i] >= 0) return c.movable[i] === 1;
  const { view } = c.p;
  const inst = view.instances[i];
  const g = inst.serverGroup;
  const mode = migrationMode(inst).mode;
  const ok = mode !== null && !c.frozen.has(inst.id) && !(g && view.groupPolicy.get(g) === 'affinity');
  c.movable[i] = ok ? 1 : 0;
  if (ok) c.gibOf[i] = moveGib(inst, mode);
  return ok;
}

/** Net change of a host's usage when `d` arrives and `evict` leave. */
function net(view: ClusterView, d: Demand, evict: readonly number[]): Demand {
  const out = { ...d };
  for (const i of evict) {
    const e = view.demands[i];
    out.vcpus -= e.vcpus;
    out.memoryMb -= e.memoryMb;
    out.diskGb -= e.diskGb;
    out.cores -= e.cores;
  }
  return out;
}

function itemsOn(c: Ctx, h: number, banned: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const i of c.p.view.instancesByHost[h]) if (!banned.has(i) && canEvict(c, i)) out.push(i);
  return out;
}

/** The cheapest way to make room for the subject on `h`, ignoring where the evicted instances go. */
function optionFor(c: Ctx, subj: Subject, h: number, banned: ReadonlySet<number>): Option | null {
  const { view } = c.p;
  const lack = lackOf(view, c.s, h, subj.demand);
  if (!lack) return { host: h, gib: 0, evict: [], peak: peakWith(view, c.s, h, subj.demand) };
  const cover = cheapestCover(view, itemsOn(c, h, banned), c.gibOf, lack);
  if (!cover) return null;
  return {
    host: h,
    gib: cover.gib,
    evict: cover.pick,
    peak: peakWith(view, c.s, h, net(view, subj.demand, cover.pick)),
  };
}

/** Least-peak destination for instance i under every rule in the state; -1 when none. */
function destinationOf(c: Ctx, i: number): number {
  const { view } = c.p;
  let best = -1;
  let bestPeak = Infinity;
  const d = view.demands[i];
  for (const t of cellOf(view, i)) {
    if (c.reserved[t] > 0) continue;
    // The peak first: it is cheap, and only a host that would beat the best so far needs the rules checked.
    const peak = peakWith(view, c.s, t, d);
    if (peak >= bestPeak - 1e-12 || !fits(view, c.s, t, d) || !checkTarget(view, i, t, c.s).ok) continue;
    [best, bestPeak] = [t, peak];
  }
  return best;
}

function cellOf(view: ClusterView, i: number): readonly number[] {
  return view.hostsByCell.get(view.hosts[view.hostIndex.get(view.instances[i].host)!].cell) ?? [];
}

function undo(c: Ctx, steps: readonly Eviction[]): void {
  for (const st of steps) removeInstance(c.p.view, c.s, st.instance, st.to);
}

/** Moves instance i somewhere (making room for it when depth allows); its steps, or null (state unchanged). */
function relocate(c: Ctx, i: number, depth: number, banned: ReadonlySet<number>): Settled | null {
  const { view } = c.p;
  const t = destinationOf(c, i);
  if (t >= 0) {
    addInstance(view, c.s, i, t);
    return { steps: [{ instance: i, to: t, wave: 0 }], gib: c.gibOf[i], peak: hostPeak(view, c.s, t) };
  }
  if (depth === 0) return null;
  const hosts = cellOf(view, i).filter((h) => staticCheck(view, i, h).ok);
  const subj: Subject = { members: [i], rep: i, demand: view.demands[i], hosts };
  const best = bestOption(c, subj, depth - 1, banned);
  if (!best) return null;
  const done = settle(c, best, depth - 1, banned) as Settled;
  addInstance(view, c.s, i, best.host);
  const wave = Math.max(-1, ...done.steps.map((st) => st.wave)) + 1;
  done.steps.push({ instance: i, to: best.host, wave });
  return { steps: done.steps, gib: done.gib + c.gibOf[i], peak: Math.max(done.peak, best.peak) };
}

/**
 * Carries out the option's evictions (largest first) in the state, the subject itself not yet
 * placed. Returns the steps, or the instance that found nowhere to go (state unchanged).
 */
function settle(c: Ctx, o: Option, depth: number, banned: ReadonlySet<number>): Settled | number {
  const { view } = c.p;
  const order = [...o.evict].sort((a, b) => view.demands[b].memoryMb - view.demands[a].memoryMb || a - b);
  const busy = new Set([...banned, ...order]);
  const out: Settled = { steps: [], gib: 0, peak: o.peak };
  c.reserved[o.host]++;
  try {
    for (const i of order) {
      const r = relocate(c, i, depth, busy);
      if (!r) {
        undo(c, out.steps);
        return i;
      }
      out.steps.push(...r.steps);
      out.gib += r.gib;
      out.peak = Math.max(out.peak, r.peak);
    }
    return out;
  } finally {
    c.reserved[o.host]--;
  }
}

/** The best option for the subject: fewest GiB in total, then lowest peak; null when none works. */
function bestOption(c: Ctx, subj: Subject, depth: number, banned: ReadonlySet<number>): Option | null {
  const pending = hostsByFloor(c, subj);
  let next = 0;
  const options: Option[] = [];
  // Covers are computed lazily: a host whose floor exceeds the k-th cheapest cover cannot come before it.
  const refill = (k: number) => {
    while (next < pending.length && (k >= options.length || pending[next].floor <= options[k].gib + 1e-9)) {
      const o = optionFor(c, subj, pending[next++].host, banned);
      if (o) insertSorted(options, o, k);
    }
  };
  let best: { o: Option; gib: number; peak: number } | null = null;
  // Per host, instances found to have nowhere to go in this search: the next cover leaves them out.
  const stuck = new Map<number, Set<number>>();
  for (let k = 0; k < MAKE_ROOM_TRIES; k++) {
    refill(k);
    if (k >= options.length) break;
    const o = options[k];
    if (best && o.gib > best.gib + 1e-9) break;
    const r = settle(c, o, depth, banned);
    if (typeof r !== 'number') {
      undo(c, r.steps);
      if (!best || r.gib < best.gib - 1e-9 || (r.gib <= best.gib + 1e-9 && r.peak < best.peak - 1e-12))
        best = { o, gib: r.gib, peak: r.peak };
      continue;
    }
    const ban = stuck.get(o.host) ?? new Set(banned);
    stuck.set(o.host, ban.add(r));
    const again = optionFor(c, subj, o.host, ban);
    if (again) insertSorted(options, again, k + 1);
  }
  return best?.o ?? null;
}

/**
 * Hosts the subject may go to, by the least GiB making room there can cost: the memory it lacks
 * (a move copies at least the instance's memory).
 */
function hostsByFloor(c: Ctx, subj: Subject): Array<{ host: number; floor: number }> {
  const { view } = c.p;
  const out: Array<{ host: number; floor: number }> = [];
  for (const h of subj.hosts) {
    if (c.reserved[h] > 0 || !groupCheck(view, c.s, subj.rep, h).ok) continue;
    const lack = lackOf(view, c.s, h, subj.demand);
    out.push({ host: h, floor: lack ? lack.memoryMb / 1024 : 0 });
  }
  return out.sort((a, b) => a.floor - b.floor || a.host - b.host);
}

function insertSorted(options: Option[], o: Option, from: number): void {
  let k = from;
  while (k < options.length && (options[k].gib < o.gib || (options[k].gib === o.gib && options[k].peak <= o.peak))) k++;
  options.splice(k, 0, o);
}

/**
 * Places the units left at -1 in `hostOf` by making room (see the module comment). `end` is the
 * state after the drain placement; it is copied, not changed.
 */
export function makeRoom(
  p: Problem,
  hostOf: Int32Array,
  end: UsageState,
  frozen: ReadonlySet<string> = new Set(),
): RoomResult {
  const n = p.view.instances.length;
  const c: Ctx = {
    p,
    s: cloneUsage(end),
    movable: new Int8Array(n).fill(-1),
    gibOf: new Float64Array(n),
    frozen,
    reserved: new Int32Array(p.view.hosts.length),
  };
  for (const u of p.units) for (const m of u.members) c.movable[m] = 0;
  const left = p.units.map((_, k) => k).filter((k) => hostOf[k] < 0);
  left.sort((a, b) => p.units[b].demand.memoryMb - p.units[a].demand.memoryMb || a - b);
  const out: RoomResult = { placed: [], evictions: [], state: c.s };
  for (const k of left) {
    const u = p.units[k];
    const o = bestOption(c, { ...u, hosts: u.candidates }, MAKE_ROOM_DEPTH - 1, new Set());
    if (!o) continue;
    const done = settle(c, o, MAKE_ROOM_DEPTH - 1, new Set()) as Settled;
    for (const st of done.steps) c.movable[st.instance] = 0;
    out.evictions.push(...done.steps);
    for (const m of u.members) addInstance(p.view, c.s, m, o.host);
    out.placed.push({
      unit: k,
      host: o.host,
      wave: done.steps.length ? Math.max(...done.steps.map((st) => st.wave)) + 1 : 0,
    });
  }
  return out;
}
