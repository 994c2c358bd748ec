/**
 * Wave scheduling: turns target placements (instance -> final host) into waves that are safe at
 * every instant. A migrating instance holds its resources on both hosts until its wave ends, so
 * for every host and wave k: usage after waves < k + every arrival of wave k <= capacity, and an
 * anti-affinity member in flight counts on both hosts. Pure.
 *
 * Greedy: each wave takes every pending move whose destination has room for all arrivals so far
 * in that wave. When nothing fits (a cycle, e.g. two full hosts exchanging instances) one
 * instance of the cycle bounces through a third host with room (two moves in two waves). When no
 * bounce exists either, the least valuable pending move is dropped and reported. A host above
 * capacity receives nothing, so it can only go down.
 */
import type { ClusterView } from './constraints/view.js';
import { demandOf } from './constraints/view.js';
import type { UsageState } from './constraints/state.js';
import { addInstance, createUsage, fits, removeInstance } from './constraints/state.js';
import type { BlockCode } from './constraints/check.js';
import { describeLack, lackOf, staticCheck } from './constraints/check.js';
import { cpuRefusal } from './constraints/cpu.js';

/** A wanted final placement. Higher `priority` is dropped last (repairs above balancing). */
export interface TargetMove {
  instance: number;
  to: number;
  priority: number;
}

/** One scheduled migration (host and instance indexes of the view). */
export interface WaveLeg {
  instance: number;
  from: number;
  to: number;
  wave: number;
}

export interface DroppedMove {
  instance: number;
  to: number;
  code: BlockCode;
  detail: string;
}

export interface WaveSchedule {
  legs: WaveLeg[];
  dropped: DroppedMove[];
  /** Number of instances that went through a third host. */
  bounces: number;
}

interface Pending extends TargetMove {
  bounced: boolean;
}

/** Server-group rule for a moment in time: anti-affinity members present or arriving on `h`. */
function groupBlocks(view: ClusterView, s: UsageState, i: number, h: number): boolean {
  const g = view.instances[i].serverGroup;
  if (!g || view.groupPolicy.get(g) !== 'anti-affinity') return false;
  return (s.groupCount.get(g)?.get(h) ?? 0) > 0;
}

function canLand(view: ClusterView, s: UsageState, i: number, h: number): boolean {
  return !groupBlocks(view, s, i, h) && fits(view, s, h, demandOf(view.instances[i]));
}

/**
 * Hypervisor and CPU rules for a leg that starts on `from` rather than on the instance's inventory
 * host (the second leg of a bounce).
 */
function legCompatible(view: ClusterView, i: number, from: number, to: number): boolean {
  const a = view.hosts[from];
  const b = view.hosts[to];
  if (a.hypervisorType !== b.hypervisorType || b.hypervisorVersion < a.hypervisorVersion) return false;
  return cpuRefusal(view, i, to, a.cpuModel) === null;
}

/** A third host that can hold `p` now and from which it can continue to its target. */
function bounceHost(view: ClusterView, s: UsageState, p: Pending, at: number): number | null {
  const cell = view.hostsByCell.get(view.hosts[at].cell) ?? [];
  let best: number | null = null;
  for (const t of cell) {
    if (t === at || t === p.to || !staticCheck(view, p.instance, t).ok) continue;
    if (!canLand(view, s, p.instance, t) || !legCompatible(view, p.instance, t, p.to)) continue;
    if (best === null || view.capacity.memoryMb[t] - s.memoryMb[t] > view.capacity.memoryMb[best] - s.memoryMb[best])
      best = t;
  }
  return best;
}

/**
 * Marks `start` and every host whose pending departures wait, directly or down a chain, for room
 * on `start`: bouncing one instance off `start` unblocks them all, so none of them needs a bounce.
 */
function relieve(start: number, waiting: ReadonlyMap<number, readonly number[]>, relieved: Set<number>): void {
  const queue = [start];
  while (queue.length) {
    const h = queue.pop()!;
    if (relieved.has(h)) continue;
    relieved.add(h);
    for (const from of waiting.get(h) ?? []) queue.push(from);
  }
}

/** Bounces one member of each blocked cycle; returns the legs started in this wave. */
function breakCycles(view: ClusterView, s: UsageState, pending: Pending[], loc: Int32Array, wave: number): WaveLeg[] {
  const waiting = new Map<number, number[]>();
  for (const p of pending) {
    const list = waiting.get(p.to);
    if (list) list.push(loc[p.instance]);
    else waiting.set(p.to, [loc[p.instance]]);
  }
  const relieved = new Set<number>();
  const order = [...pending].sort(
    (x, y) => view.instances[x.instance].memoryMb - view.instances[y.instance].memoryMb || x.instance - y.instance,
  );
  const legs: WaveLeg[] = [];
  for (const p of order) {
    const at = loc[p.instance];
    if (p.bounced || !waiting.has(at) || relieved.has(at)) continue;
    const t = bounceHost(view, s, p, at);
    if (t === null) continue;
    addInstance(view, s, p.instance, t);
    relieve(at, waiting, relieved);
    legs.push({ instance: p.instance, from: at, to: t, wave });
  }
  return legs;
}

function whyBlocked(view: ClusterView, s: UsageState, p: Pending): DroppedMove {
  const name = view.hosts[p.to].name;
  if (groupBlocks(view, s, p.instance, p.to)) {
    return {
      instance: p.instance,
      to: p.to,
      code: 'SERVER_GROUP',
      detail: `anti-affinity group ${view.instances[p.instance].serverGroup} stays on ${name} while the move would run`,
    };
  }
  const lack = lackOf(view, s, p.to, demandOf(view.instances[p.instance]));
  const detail = lack
    ? `${name} lacks ${describeLack(lack)} at every wave (no third host can break the cycle)`
    : `${name} never has room`;
  return { instance: p.instance, to: p.to, code: 'NO_CAPACITY', detail };
}

/** The least valuable pending move: lowest priority, then the largest, then the last. */
function leastValuable(view: ClusterView, pending: Pending[]): number {
  let worst = 0;
  for (let k = 1; k < pending.length; k++) {
    const a = pending[k];
    const b = pending[worst];
    const mem = view.instances[a.instance].memoryMb - view.instances[b.instance].memoryMb;
    if (a.priority < b.priority || (a.priority === b.priority && mem >= 0)) worst = k;
  }
  return worst;
}

/** Schedules the target placements into safe waves (see the module comment). */
export function scheduleWaves(view: ClusterView, targets: readonly TargetMove[]): WaveSchedule {
  const s = createUsage(view);
  const loc = Int32Array.from(view.instances, (inst) => view.hostIndex.get(inst.host) ?? -1);
  let pending: Pending[] = targets.filter((t) => loc[t.instance] !== t.to).map((t) => ({ ...t, bounced: false }));
  pending.sort((x, y) => y.priority - x.priority);
  const out: WaveSchedule = { legs: [], dropped: [], bounces: 0 };
  let wave = 0;
  while (pending.length) {
    let legs: WaveLeg[] = [];
    for (const p of pending) {
      if (!canLand(view, s, p.instance, p.to)) continue;
      addInstance(view, s, p.instance, p.to);
      legs.push({ instance: p.instance, from: loc[p.instance], to: p.to, wave });
    }
    if (!legs.length) legs = breakCycles(view, s, pending, loc, wave);
    if (!legs.length) {
      const k = leastValuable(view, pending);
      out.dropped.push(whyBlocked(view, s, pending[k]));
      pending.splice(k, 1);
      continue;
    }
    const done = new Set<number>();
    for (const leg of legs) {
      removeInstance(view, s, leg.instance, leg.from);
      loc[leg.instance] = leg.to;
      done.add(leg.instance);
    }
    for (const p of pending) {
      if (!done.has(p.instance) || loc[p.instance] === p.to) continue;
      p.bounced = true;
      out.bounces++;
    }
    pending = pending.filter((p) => loc[p.instance] !== p.to);
    out.legs.push(...legs);
    wave++;
  }
  return out;
}
