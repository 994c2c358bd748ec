/**
 * Builds a simulated cluster that reproduces an inventory: one simulated host per inventory host
 * (down hosts start unreachable), one domain per instance. Also returns the HostConfig list that
 * carries what hypervisors do not report (cell, ratios, reservations, CPU compatibility,
 * bandwidth), so inventory collection over this cluster rebuilds the same inventory.
 */
import type { Inventory } from '../../../planner/index.js';
import type { HostConfig } from '../types.js';
import { createSimulatedCluster, type SimulatedCluster } from './cluster.js';
import type { SimDomainSpec, SimHostSpec, SimModelOptions } from './types.js';
import type { Clock } from '../../clock.js';

const STATE = { ACTIVE: 'running', PAUSED: 'paused', SHUTOFF: 'shutoff' } as const;

export function simHostsFromInventory(inv: Inventory): SimHostSpec[] {
  // CPUs used by each host's running instances, in one pass over the instances
  const instanceCpu = new Map<string, number>();
  for (const i of inv.instances) {
    if (i.status === 'ACTIVE') instanceCpu.set(i.host, (instanceCpu.get(i.host) ?? 0) + i.vcpus * (i.cpuUsage ?? 0));
  }
  return inv.hosts.map((h) => ({
    name: h.name,
    cpus: h.vcpus,
    memoryMb: h.memoryMb,
    diskGb: h.diskGb,
    hypervisorType: h.hypervisorType,
    hypervisorVersion: h.hypervisorVersion,
    cpuModel: h.cpuModel,
    nicMbps: h.migrationBandwidthMbps ?? 10_000,
    // host CPU not explained by its instances, so measured utilisation matches the inventory
    baseCpuLoad: Math.max(0, (h.cpuUsage ?? 0) * h.vcpus - (instanceCpu.get(h.name) ?? 0)),
    down: h.state === 'down',
  }));
}

export function simDomainsFromInventory(inv: Inventory): SimDomainSpec[] {
  return inv.instances.map((i) => ({
    id: i.id,
    name: i.name,
    host: i.host,
    state: STATE[i.status],
    vcpus: i.vcpus,
    memoryMb: i.memoryMb,
    disks: [
      {
        target: 'vda',
        source: `/var/lib/nova/instances/${i.id}/disk`,
        storage: i.storage,
        device: 'disk' as const,
        readonly: false,
        sizeGb: i.diskGb,
      },
    ],
    configDrive: i.configDrive,
    cdrom: i.cdrom,
    cpuMode: i.cpuMode,
    cpuModel: i.cpuModel,
    serverGroup: i.serverGroup,
    pinned: i.pinned,
    cpuUsage: i.cpuUsage ?? 0,
    dirtyRateMbps: i.dirtyRateMbps ?? 0,
  }));
}

export function hostConfigsFromInventory(inv: Inventory): HostConfig[] {
  return inv.hosts.map((h) => ({
    name: h.name,
    uri: `sim://${h.name}`,
    cell: h.cell,
    ...(h.zone ? { zone: h.zone } : {}),
    enabled: h.enabled,
    cpuAllocationRatio: h.cpuAllocationRatio,
    ramAllocationRatio: h.ramAllocationRatio,
    diskAllocationRatio: h.diskAllocationRatio,
    reservedVcpus: h.reservedVcpus,
    reservedMemoryMb: h.reservedMemoryMb,
    reservedDiskGb: h.reservedDiskGb,
    compatibleCpuModels: h.compatibleCpuModels,
    ...(h.migrationBandwidthMbps !== null ? { migrationBandwidthMbps: h.migrationBandwidthMbps } : {}),
  }));
}

export function simulatedClusterFromInventory(
  inventory: Inventory,
  opts: SimModelOptions & { clock: Clock },
): { cluster: SimulatedCluster; hosts: HostConfig[] } {
  const cluster = createSimulatedCluster({
    ...opts,
    hosts: simHostsFromInventory(inventory),
    domains: simDomainsFromInventory(inventory),
  });
  return { cluster, hosts: hostConfigsFromInventory(inventory) };
}
