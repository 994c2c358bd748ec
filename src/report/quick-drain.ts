/**
 * A quick sufficient check that a host can be drained: place its instances one by one (largest
 * memory first) on the emptiest compatible host. A placement found this way respects every hard
 * rule of a one-wave drain (capacity with arrivals, cell, target state, hypervisor, CPU,
 * anti-affinity), so the host IS drainable. When the greedy fails nothing is proven: the caller
 * then asks the full drain planner, which also explains why.
 *
 * The check is deliberately conservative: anything unusual (pinned, read-only devices, affinity
 * groups, exclusions naming the host) is left to the planner.
 */
import type { Host, Instance, Inventory, PlannerOptions } from '../../planner/index.js';
import { usableDiskGb, usableMemoryMb, usableVcpus } from '../../planner/metrics.js';
import { diskOf } from './capacity.js';

interface Slot {
  host: Host;
  cpu: number;
  mem: number;
  disk: number;
  /** Hard anti-affinity groups with a member on this host. */
  groups: Set<string>;
}

/** Per-cell view shared by every host's check: free capacity of the possible targets. */
export interface CellIndex {
  /** Targets, emptiest memory first, so the scan usually stops at the first slot. */
  slots: Slot[];
  antiAffinity: Set<string>;
  affinity: Set<string>;
  excludedHosts: Set<string>;
  excludedPairs: Set<string>;
}

export function buildCellIndex(inventory: Inventory, cellHosts: readonly Host[], byHost: ReadonlyMap<string, Instance[]>, options: PlannerOptions): CellIndex {
  const avoid = new Set(options.avoidHosts ?? []);
  const antiAffinity = new Set(inventory.serverGroups.filter((g) => g.policy === 'anti-affinity').map((g) => g.id));
  const affinity = new Set(inventory.serverGroups.filter((g) => g.policy === 'affinity').map((g) => g.id));
  const excludedHosts = new Set<string>();
  const excludedPairs = new Set<string>();
  for (const e of options.exclusions ?? []) {
    if (e.instance) excludedPairs.add(`${e.instance}@${e.host}`);
    else excludedHosts.add(e.host);
  }
  const slots: Slot[] = [];
  for (const host of cellHosts) {
    if (!host.enabled || host.state !== 'up' || avoid.has(host.name) || excludedHosts.has(host.name)) continue;
    const slot: Slot = { host, cpu: usableVcpus(host), mem: usableMemoryMb(host), disk: usableDiskGb(host), groups: new Set() };
    for (const i of byHost.get(host.name) ?? []) {
      slot.cpu -= i.vcpus;
      slot.mem -= i.memoryMb;
      slot.disk -= diskOf(i);
      if (i.serverGroup && antiAffinity.has(i.serverGroup)) slot.groups.add(i.serverGroup);
    }
    slots.push(slot);
  }
  slots.sort((a, b) => b.mem - a.mem);
  return { slots, antiAffinity, affinity, excludedHosts, excludedPairs };
}

/** Rules the greedy does not model; such an instance is left to the planner. */
function needsPlanner(i: Instance, index: CellIndex): boolean {
  if (i.pinned) return true;
  if (i.storage === 'local' && (i.configDrive || i.cdrom) && i.status !== 'SHUTOFF') return true;
  return i.serverGroup !== null && index.affinity.has(i.serverGroup);
}

function compatible(i: Instance, source: Host, target: Host, index: CellIndex): boolean {
  if (target.name === source.name) return false;
  if (target.hypervisorType !== source.hypervisorType || target.hypervisorVersion < source.hypervisorVersion) return false;
  const cpuNeeded = i.cpuMode === 'custom' ? i.cpuModel : source.cpuModel;
  if (cpuNeeded === null || !target.compatibleCpuModels.includes(cpuNeeded)) return false;
  return !index.excludedPairs.has(`${i.id}@${target.name}`);
}

interface Taken {
  cpu: number;
  mem: number;
  disk: number;
  groups: Set<string>;
}

function fits(i: Instance, slot: Slot, taken: Taken | undefined, index: CellIndex): boolean {
  const cpu = slot.cpu - (taken?.cpu ?? 0);
  const mem = slot.mem - (taken?.mem ?? 0);
  const disk = slot.disk - (taken?.disk ?? 0);
  if (i.vcpus > cpu || i.memoryMb > mem || diskOf(i) > disk) return false;
  const g = i.serverGroup;
  if (g === null || !index.antiAffinity.has(g)) return true;
  return !slot.groups.has(g) && !(taken?.groups.has(g) ?? false);
}

/** True when the greedy placed every instance of `source`; false proves nothing. */
export function quickDrainable(source: Host, instances: readonly Instance[], index: CellIndex): boolean {
  if (instances.some((i) => needsPlanner(i, index))) return false;
  const order = [...instances].sort((a, b) => b.memoryMb - a.memoryMb || b.vcpus - a.vcpus);
  const taken = new Map<Slot, Taken>();
  for (const i of order) {
    const slot = index.slots.find((s) => compatible(i, source, s.host, index) && fits(i, s, taken.get(s), index));
    if (!slot) return false;
    let t = taken.get(slot);
    if (!t) taken.set(slot, (t = { cpu: 0, mem: 0, disk: 0, groups: new Set() }));
    t.cpu += i.vcpus;
    t.mem += i.memoryMb;
    t.disk += diskOf(i);
    if (i.serverGroup && index.antiAffinity.has(i.serverGroup)) t.groups.add(i.serverGroup);
  }
  return true;
}
