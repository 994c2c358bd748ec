/**
 * Quick drain-feasibility proofs (the capacity report's N+1) without the full drain planner,
 * built on the planner's own placement rules (constraints/), so they agree with it by construction:
 *
 * - drainable: a greedy placement of the host's instances (largest memory first, emptiest host
 *   first) succeeded. Every arrival is checked with `checkTarget` against usage that includes
 *   the earlier arrivals, which is exactly a valid one-wave drain, so the host IS drainable.
 * - blocked: some instance fits on no host of the cell even if that host were emptied of every
 *   instance that can move (only pinned instances and read-only devices on local storage stay),
 *   server groups aside. The drain planner may move other instances to make room, so a shortfall
 *   now proves nothing; this relaxation holds whatever sequence of moves runs, so the host is NOT
 *   drainable. The reasons are the planner's own `explainUnplaced` sentences.
 * - unknown: neither proof applies (a tight packing the greedy misses, pinned instances,
 *   read-only devices, affinity groups); the caller asks the full drain planner.
 */
import {
  addInstance,
  buildView,
  checkTarget,
  createUsage,
  demandOf,
  explainUnplaced,
  fits,
  freeOf,
  removeInstance,
  type ClusterView,
  type UsageState,
  staticCheck,
} from './constraints/index.js';
import type { Inventory } from './model/inventory.js';
import type { PlannerOptions } from './model/options.js';
import type { UnplacedCode } from './model/plan.js';

/** Why a host cannot be drained: an instance that fits nowhere, in the planner's own words. */
export interface DrainBlocker {
  instance: string;
  name: string;
  code: UnplacedCode;
  reason: string;
}

/** `placement` is the witness of drainability: where each instance of the host can go. */
export type QuickAnswer =
  | { kind: 'drainable'; placement: Array<{ instance: string; to: string }> }
  | { kind: 'blocked'; blockers: DrainBlocker[] }
  | { kind: 'unknown' };

export interface QuickDrain {
  check(host: string): QuickAnswer;
}

/** Rules the greedy leaves to the planner (they have their own codes or move groups together). */
function needsPlanner(view: ClusterView, i: number): boolean {
  const inst = view.instances[i];
  if (inst.pinned) return true;
  if (inst.storage === 'local' && (inst.configDrive || inst.cdrom) && inst.status !== 'SHUTOFF') return true;
  return inst.serverGroup !== null && view.groupPolicy.get(inst.serverGroup) === 'affinity';
}

/** Instances no sequence of moves can take off their host. */
function immovable(view: ClusterView, i: number): boolean {
  const inst = view.instances[i];
  return inst.pinned || (inst.storage === 'local' && (inst.configDrive || inst.cdrom) && inst.status !== 'SHUTOFF');
}

/** Per host, what stays whatever moves: the usage of its immovable instances. */
function fixedUsage(view: ClusterView): UsageState {
  const s = createUsage(view);
  view.hosts.forEach((_, h) => {
    s.vcpus[h] = s.memoryMb[h] = s.diskGb[h] = 0;
    for (const i of view.instancesByHost[h]) if (immovable(view, i)) addInstance(view, s, i, h);
  });
  return s;
}

/** Host `t` can take instance `i` now; the cheap capacity test first spares most full checks. */
function canTake(view: ClusterView, s: UsageState, i: number, t: number): boolean {
  return fits(view, s, t, demandOf(view.instances[i])) && checkTarget(view, i, t, s).ok;
}

/** Places every instance (then undoes it, leaving `s` as it was); the placement, or null. */
function greedy(
  view: ClusterView,
  s: UsageState,
  order: readonly number[],
  targets: readonly number[],
): Array<[number, number]> | null {
  const placed: Array<[number, number]> = [];
  let ok = true;
  for (const i of order) {
    const h = targets.find((t) => canTake(view, s, i, t));
    if (h === undefined) {
      ok = false;
      break;
    }
    addInstance(view, s, i, h);
    placed.push([i, h]);
  }
  for (const [i, h] of placed) removeInstance(view, s, i, h);
  return ok ? placed : null;
}

/**
 * What the placement rules look at for an instance leaving a given host: instances with the same
 * key get the same explanation (only the name differs). Instances named in an exclusion are unique.
 */
function explanationKey(view: ClusterView, i: number): string {
  const inst = view.instances[i];
  const d = demandOf(inst);
  if (view.excludedPairs.size && [...view.excludedPairs].some((k) => k.startsWith(`${inst.id}\u0000`)))
    return `id:${inst.id}`;
  return [inst.host, d.vcpus, d.memoryMb, d.diskGb, inst.cpuMode, inst.cpuModel, inst.serverGroup].join('\u0001');
}

const SUBJECT = '\u0002';

/** Instances that fit on no host of the cell even emptied of what can move, explained as the planner would. */
function aloneBlocked(
  view: ClusterView,
  s: UsageState,
  fixed: UsageState,
  order: readonly number[],
  targets: readonly number[],
): DrainBlocker[] {
  const out: DrainBlocker[] = [];
  const explained = new Map<string, ReturnType<typeof explainUnplaced>>();
  for (const i of order) {
    const d = demandOf(view.instances[i]);
    if (targets.some((t) => fits(view, fixed, t, d) && staticCheck(view, i, t).ok)) continue;
    const inst = view.instances[i];
    const key = explanationKey(view, i);
    let why = explained.get(key);
    if (!why) {
      why = explainUnplaced(view, i, s, demandOf(inst), SUBJECT);
      explained.set(key, why);
    }
    out.push({
      instance: inst.id,
      name: inst.name,
      code: why.code,
      reason: why.reason.split(SUBJECT).join(`instance ${inst.name}`),
    });
  }
  return out;
}

/** Prepares the checks for one cell's inventory (indexes and usage built once). */
export function createQuickDrain(cell: Inventory, options: PlannerOptions): QuickDrain {
  const view = buildView(cell, { avoidHosts: options.avoidHosts, exclusions: options.exclusions });
  const s = createUsage(view);
  const fixed = fixedUsage(view);
  // Emptiest memory first: the first compatible host usually has room, so scans stay short.
  const targets = view.hosts.map((_, h) => h).sort((a, b) => freeOf(view, s, b).memoryMb - freeOf(view, s, a).memoryMb);
  return {
    check(host) {
      const k = view.hostIndex.get(host);
      if (k === undefined) return { kind: 'unknown' };
      const order = [...view.instancesByHost[k]].sort(
        (a, b) =>
          view.instances[b].memoryMb - view.instances[a].memoryMb || view.instances[b].vcpus - view.instances[a].vcpus,
      );
      const planner = order.some((i) => needsPlanner(view, i));
      const placed = planner ? null : greedy(view, s, order, targets);
      if (placed)
        return {
          kind: 'drainable',
          placement: placed.map(([i, h]) => ({ instance: view.instances[i].id, to: view.hosts[h].name })),
        };
      const blockers = aloneBlocked(
        view,
        s,
        fixed,
        order.filter((i) => !needsPlanner(view, i)),
        targets,
      );
      return blockers.length ? { kind: 'blocked', blockers } : { kind: 'unknown' };
    },
  };
}
