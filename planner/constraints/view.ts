/**
 * An indexed, read-only view of an inventory for placement: hosts by name, usable capacity and
 * current usage per host, instances per host, server groups, and the request's target policy
 * (drained, avoided, excluded hosts). The inventory's part is built once per snapshot in O(hosts + instances),
 * the policy's per request in O(hosts + exclusions).
 */
import type { Host, Instance, Inventory, ServerGroupPolicy } from '../model/inventory.js';
import type { Exclusion } from '../model/options.js';
import { usableDiskGb, usableMemoryMb, usableVcpus } from '../metrics.js';

/** Which hosts may receive instances, beyond the static rules (enabled, up, same cell). */
export interface TargetPolicy {
  /** Hosts being emptied: they never receive. @default [] */
  drained?: readonly string[];
  /** Hosts that must not receive (maintenance, drains elsewhere). @default [] */
  avoidHosts?: readonly string[];
  /** Placements that must not be used: an instance to a host, or (no instance) a whole host. @default [] */
  exclusions?: readonly Exclusion[];
}

/** Resources a placement consumes on its host. */
export interface Demand {
  vcpus: number;
  memoryMb: number;
  /** Local disk in GB: only instances with `storage` "local" consume host disk. */
  diskGb: number;
  /** Measured CPU in physical cores (`cpuUsage` x `vcpus`); 0 when unknown. */
  cores: number;
}

export interface ClusterView {
  readonly inventory: Inventory;
  readonly hosts: readonly Host[];
  readonly instances: readonly Instance[];
  readonly hostIndex: ReadonlyMap<string, number>;
  readonly instanceIndex: ReadonlyMap<string, number>;
  /** Usable capacity per host index: (raw - reserved) x allocation ratio, never below 0. */
  readonly capacity: { vcpus: Float64Array; memoryMb: Float64Array; diskGb: Float64Array };
  /** Current usage per host index (every instance on it, whatever its status). */
  readonly usage: { vcpus: Float64Array; memoryMb: Float64Array; diskGb: Float64Array };
  /** What each instance consumes on its host, per instance index. */
  readonly demands: readonly Demand[];
  /** Instance indexes per host index. */
  readonly instancesByHost: readonly (readonly number[])[];
  /** Host indexes per cell, in inventory order. */
  readonly hostsByCell: ReadonlyMap<string, readonly number[]>;
  readonly groupPolicy: ReadonlyMap<string, ServerGroupPolicy>;
  /** Instance indexes per server group. */
  readonly groupMembers: ReadonlyMap<string, readonly number[]>;
  /** Compatible CPU models per host index. */
  readonly cpuModels: readonly ReadonlySet<string>[];
  /** Hosts whose hypervisor accepts the guest CPU, per instance index; null when not asked. */
  readonly cpuHosts: readonly (ReadonlySet<string> | null)[];
  /** 1 where the host is drained / avoided / excluded for every instance. */
  readonly drained: Uint8Array;
  readonly avoided: Uint8Array;
  readonly excludedHost: Uint8Array;
  /** `instanceId \u0000 hostName` pairs excluded. */
  readonly excludedPairs: ReadonlySet<string>;
}

/** What an instance consumes on its host. */
export function demandOf(inst: Instance): Demand {
  return {
    vcpus: inst.vcpus,
    memoryMb: inst.memoryMb,
    diskGb: inst.storage === 'local' ? inst.diskGb : 0,
    cores: inst.cpuUsage === null ? 0 : inst.cpuUsage * inst.vcpus,
  };
}

export function pairKey(instanceId: string, host: string): string {
  return `${instanceId}\u0000${host}`;
}

function flags(n: number, names: readonly string[] | undefined, index: ReadonlyMap<string, number>): Uint8Array {
  const out = new Uint8Array(n);
  for (const name of names ?? []) {
    const k = index.get(name);
    if (k !== undefined) out[k] = 1;
  }
  return out;
}

function indexGroups(inventory: Inventory) {
  const groupPolicy = new Map<string, ServerGroupPolicy>();
  for (const g of inventory.serverGroups) groupPolicy.set(g.id, g.policy);
  const groupMembers = new Map<string, number[]>();
  inventory.instances.forEach((inst, i) => {
    if (!inst.serverGroup) return;
    let list = groupMembers.get(inst.serverGroup);
    if (!list) {
      list = [];
      groupMembers.set(inst.serverGroup, list);
    }
    list.push(i);
  });
  return { groupPolicy, groupMembers };
}

/** The part of a view that depends on the inventory alone: the same for every request on one snapshot. */
type SnapshotPart = Omit<ClusterView, 'drained' | 'avoided' | 'excludedHost' | 'excludedPairs'>;

/**
 * Snapshot parts per inventory object. Inventories are immutable snapshots (a refresh builds a new
 * object), and the service hands the same object to every request of a snapshot, so requests after
 * the first only pay for their policy. The part is read-only; placement state lives in UsageState.
 */
const snapshots = new WeakMap<Inventory, SnapshotPart>();

function indexHosts(hosts: readonly Host[]) {
  const n = hosts.length;
  const hostIndex = new Map<string, number>();
  const hostsByCell = new Map<string, number[]>();
  const capacity = { vcpus: new Float64Array(n), memoryMb: new Float64Array(n), diskGb: new Float64Array(n) };
  hosts.forEach((h, k) => {
    hostIndex.set(h.name, k);
    let cell = hostsByCell.get(h.cell);
    if (!cell) {
      cell = [];
      hostsByCell.set(h.cell, cell);
    }
    cell.push(k);
    capacity.vcpus[k] = usableVcpus(h);
    capacity.memoryMb[k] = usableMemoryMb(h);
    capacity.diskGb[k] = usableDiskGb(h);
  });
  return { hostIndex, hostsByCell, capacity };
}

function snapshotPart(inventory: Inventory): SnapshotPart {
  const { hosts, instances } = inventory;
  const { hostIndex, hostsByCell, capacity } = indexHosts(hosts);
  const n = hosts.length;
  const usage = { vcpus: new Float64Array(n), memoryMb: new Float64Array(n), diskGb: new Float64Array(n) };
  const instancesByHost: number[][] = hosts.map(() => []);
  const demands = instances.map(demandOf);
  instances.forEach((inst, i) => {
    const k = hostIndex.get(inst.host);
    if (k === undefined) return;
    instancesByHost[k].push(i);
    const d = demands[i];
    usage.vcpus[k] += d.vcpus;
    usage.memoryMb[k] += d.memoryMb;
    usage.diskGb[k] += d.diskGb;
  });
  // Built on first use: few callers need it, and on a region it is a 100k-entry map.
  let instanceIndex: Map<string, number> | undefined;
  return {
    inventory,
    hosts,
    instances,
    hostIndex,
    get instanceIndex() {
      instanceIndex ??= new Map(instances.map((inst, i) => [inst.id, i]));
      return instanceIndex;
    },
    capacity,
    usage,
    demands,
    instancesByHost,
    hostsByCell,
    ...indexGroups(inventory),
    cpuModels: hosts.map((h) => new Set(h.compatibleCpuModels)),
    cpuHosts: instances.map((i) => (i.cpuCompatibleHosts ? new Set(i.cpuCompatibleHosts) : null)),
  };
}

/** Builds the view: the snapshot part once per inventory object, the request's policy every time. */
export function buildView(inventory: Inventory, policy: TargetPolicy = {}): ClusterView {
  let part = snapshots.get(inventory);
  if (!part) {
    part = snapshotPart(inventory);
    snapshots.set(inventory, part);
  }
  const base = part;
  const n = base.hosts.length;
  const excludedPairs = new Set<string>();
  const wholeHosts: string[] = [];
  for (const e of policy.exclusions ?? []) {
    if (e.instance === undefined) wholeHosts.push(e.host);
    else excludedPairs.add(pairKey(e.instance, e.host));
  }
  return {
    inventory,
    hosts: base.hosts,
    instances: base.instances,
    hostIndex: base.hostIndex,
    get instanceIndex() {
      return base.instanceIndex;
    },
    capacity: base.capacity,
    usage: base.usage,
    demands: base.demands,
    instancesByHost: base.instancesByHost,
    hostsByCell: base.hostsByCell,
    groupPolicy: base.groupPolicy,
    groupMembers: base.groupMembers,
    cpuModels: base.cpuModels,
    cpuHosts: base.cpuHosts,
    drained: flags(n, policy.drained, base.hostIndex),
    avoided: flags(n, policy.avoidHosts, base.hostIndex),
    excludedHost: flags(n, wholeHosts, base.hostIndex),
    excludedPairs,
  };
}
