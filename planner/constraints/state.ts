/**
 * Mutable usage per host, so strategies can tentatively place and unplace instances in O(1).
 *
 * Accounting follows the wave rule: `add` puts an instance's demand on a destination without
 * taking it off its source (a migrating instance holds resources on both hosts until it
 * finishes); call `remove` on the source when a wave completes.
 */
import type { ClusterView, Demand } from './view.js';

export interface UsageState {
  vcpus: Float64Array;
  memoryMb: Float64Array;
  diskGb: Float64Array;
  /** Measured CPU in physical cores (host `cpuUsage` x `vcpus` plus arrivals); 0 when unknown. */
  cores: Float64Array;
  /** Server group id -> host index -> members counted on that host. */
  groupCount: Map<string, Map<number, number>>;
}

/** A fresh state holding the inventory's current usage. */
export function createUsage(view: ClusterView): UsageState {
  const groupCount = new Map<string, Map<number, number>>();
  for (const [group, members] of view.groupMembers) {
    const perHost = new Map<number, number>();
    for (const i of members) {
      const k = view.hostIndex.get(view.instances[i].host);
      if (k !== undefined) perHost.set(k, (perHost.get(k) ?? 0) + 1);
    }
    groupCount.set(group, perHost);
  }
  return {
    vcpus: view.usage.vcpus.slice(),
    memoryMb: view.usage.memoryMb.slice(),
    diskGb: view.usage.diskGb.slice(),
    cores: Float64Array.from(view.hosts, (h) => (h.cpuUsage ?? 0) * h.vcpus),
    groupCount,
  };
}

/** A deep copy, for trying alternatives side by side. */
export function cloneUsage(s: UsageState): UsageState {
  const groupCount = new Map<string, Map<number, number>>();
  for (const [g, m] of s.groupCount) groupCount.set(g, new Map(m));
  return {
    vcpus: s.vcpus.slice(),
    memoryMb: s.memoryMb.slice(),
    diskGb: s.diskGb.slice(),
    cores: s.cores.slice(),
    groupCount,
  };
}

function shift(view: ClusterView, s: UsageState, instance: number, host: number, sign: 1 | -1, d: Demand): void {
  s.vcpus[host] += sign * d.vcpus;
  s.memoryMb[host] += sign * d.memoryMb;
  s.diskGb[host] += sign * d.diskGb;
  s.cores[host] += sign * d.cores;
  const group = view.instances[instance].serverGroup;
  if (!group) return;
  let perHost = s.groupCount.get(group);
  if (!perHost) {
    perHost = new Map();
    s.groupCount.set(group, perHost);
  }
  const c = (perHost.get(host) ?? 0) + sign;
  if (c > 0) perHost.set(host, c);
  else perHost.delete(host);
}

/** Counts instance `i` on host `h` (an arrival). */
export function addInstance(view: ClusterView, s: UsageState, i: number, h: number): void {
  shift(view, s, i, h, 1, view.demands[i]);
}

/** Stops counting instance `i` on host `h` (a departure that finished, or an undone arrival). */
export function removeInstance(view: ClusterView, s: UsageState, i: number, h: number): void {
  shift(view, s, i, h, -1, view.demands[i]);
}

/** Free capacity of host `h` per resource (negative when already over). */
export function freeOf(view: ClusterView, s: UsageState, h: number): Omit<Demand, 'cores'> {
  return {
    vcpus: view.capacity.vcpus[h] - s.vcpus[h],
    memoryMb: view.capacity.memoryMb[h] - s.memoryMb[h],
    diskGb: view.capacity.diskGb[h] - s.diskGb[h],
  };
}

/** Tolerance for floating-point sums of capacities. */
export const EPS = 1e-6;

/** True when `d` fits on host `h` in state `s`. */
export function fits(view: ClusterView, s: UsageState, h: number, d: Demand): boolean {
  return (
    s.vcpus[h] + d.vcpus <= view.capacity.vcpus[h] + EPS &&
    s.memoryMb[h] + d.memoryMb <= view.capacity.memoryMb[h] + EPS &&
    s.diskGb[h] + d.diskGb <= view.capacity.diskGb[h] + EPS
  );
}
