/**
 * Capacity, allocation, measured use and headroom per host and per cell.
 */
import {
  usableDiskGb,
  usableMemoryMb,
  usableVcpus,
  type Host,
  type Instance,
  type Inventory,
} from '../../planner/index.js';
import type { ResourceFigures, Resources } from './model.js';

/** Only `local` instances occupy their host's disk (plan-format.md, "Capacity"). */
export function diskOf(i: Instance): number {
  return i.storage === 'local' ? i.diskGb : 0;
}

function figures(capacity: number, allocated: number, used: number | null): ResourceFigures {
  return { capacity, allocated, used, headroom: capacity - allocated };
}

/**
 * Busy cores of a host: the host's own measurement when present, else the sum of its instances'
 * measurements when every instance has one; null otherwise (a partial sum would understate).
 */
export function measuredCores(host: Host, instances: readonly Instance[]): number | null {
  if (host.cpuUsage !== null) return host.cpuUsage * host.vcpus;
  if (instances.length === 0) return 0;
  let sum = 0;
  for (const i of instances) {
    if (i.cpuUsage === null) return null;
    sum += i.cpuUsage * i.vcpus;
  }
  return sum;
}

/** Resources of one host with the instances placed on it. */
export function hostResources(host: Host, instances: readonly Instance[]): Resources {
  let cpu = 0;
  let mem = 0;
  let disk = 0;
  for (const i of instances) {
    cpu += i.vcpus;
    mem += i.memoryMb;
    disk += diskOf(i);
  }
  return {
    vcpus: figures(usableVcpus(host), cpu, measuredCores(host, instances)),
    memoryMb: figures(usableMemoryMb(host), mem, null),
    diskGb: figures(usableDiskGb(host), disk, null),
  };
}

function addFigures(a: ResourceFigures, b: ResourceFigures): ResourceFigures {
  const used = a.used === null || b.used === null ? null : a.used + b.used;
  return figures(a.capacity + b.capacity, a.allocated + b.allocated, used);
}

/** Sum of host resources; measured use stays null if any host lacks it. */
export function sumResources(list: readonly Resources[]): Resources {
  const zero = (): ResourceFigures => figures(0, 0, 0);
  const total: Resources = { vcpus: zero(), memoryMb: zero(), diskGb: zero() };
  for (const r of list) {
    total.vcpus = addFigures(total.vcpus, r.vcpus);
    total.memoryMb = addFigures(total.memoryMb, r.memoryMb);
    total.diskGb = addFigures(total.diskGb, r.diskGb);
  }
  // Memory and disk are never measured in the inventory: keep them null, not 0.
  if (list.length) total.memoryMb.used = total.diskGb.used = null;
  return total;
}

/** Instances grouped by host name. */
export function instancesByHost(inventory: Inventory): Map<string, Instance[]> {
  const out = new Map<string, Instance[]>();
  for (const h of inventory.hosts) out.set(h.name, []);
  for (const i of inventory.instances) out.get(i.host)?.push(i);
  return out;
}

/** A host that may receive instances: enabled, up and not in maintenance. */
export function inService(host: Host, maintenance: ReadonlySet<string>): boolean {
  return host.enabled && host.state === 'up' && !maintenance.has(host.name);
}
