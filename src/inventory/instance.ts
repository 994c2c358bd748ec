/**
 * Maps what a hypervisor reports about one host and its domains to the planner's inventory
 * records (hosts and instances, before defaults are applied by parseInventory).
 */
import type { DomainFacts, HostConfig, HostFacts } from '../../executor/hypervisor/types.js';
import type { z } from 'zod';
import type { HostSchema, Instance, Storage } from '../../planner/index.js';

/** A host record as the inventory document spells it (before parseInventory applies defaults). */
export type HostDoc = z.input<typeof HostSchema>;

/** Storage class of a domain: copying any local writable disk makes it `local` (block migration). */
export function storageOf(domain: DomainFacts): Storage {
  const disks = domain.disks.filter((d) => d.device === 'disk');
  if (disks.some((d) => d.storage === 'local' && !d.readonly)) return 'local';
  if (disks.some((d) => d.storage === 'volume')) return 'volume';
  return 'shared';
}

/** GiB that live on the host's own storage: local writable disks (what a block migration copies). */
export function localDiskGb(domain: DomainFacts): number {
  let sum = 0;
  for (const d of domain.disks) if (d.device === 'disk' && d.storage === 'local' && !d.readonly) sum += d.sizeGb;
  return Math.round(sum * 1000) / 1000;
}

/**
 * Instance status from the domain state. A domain in another state (crashed, suspended to disk,
 * shutting down) is reported SHUTOFF and pinned: nothing should try to move it automatically.
 */
export function statusOf(domain: DomainFacts): { status: Instance['status']; pinned: boolean } {
  switch (domain.state) {
    case 'running':
      return { status: 'ACTIVE', pinned: domain.pinned ?? false };
    case 'paused':
      return { status: 'PAUSED', pinned: domain.pinned ?? false };
    case 'shutoff':
      return { status: 'SHUTOFF', pinned: domain.pinned ?? false };
    default:
      return { status: 'SHUTOFF', pinned: true };
  }
}

/** Clamps a utilisation figure to 0..1 and rounds it for stable output. */
export function fraction(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 10_000) / 10_000;
}

/** The inventory record of one domain (serverGroup checked by the caller); dirty rate in Mbit/s. */
export function toInstance(
  host: string,
  domain: DomainFacts,
  cpuUsage: number | null,
  dirtyRateMbps: number | null = null,
): Instance {
  const { status, pinned } = statusOf(domain);
  return {
    id: domain.id,
    name: domain.name,
    host,
    status,
    vcpus: Math.max(1, domain.vcpus),
    memoryMb: domain.memoryMb,
    diskGb: localDiskGb(domain),
    storage: storageOf(domain),
    configDrive: domain.configDrive,
    cdrom: domain.cdrom,
    cpuMode: domain.cpuMode,
    cpuModel: domain.cpuModel,
    serverGroup: domain.serverGroup ?? null,
    cpuUsage,
    dirtyRateMbps: domain.state === 'running' ? dirtyRateMbps : null,
    pinned,
  };
}

/** The inventory record of one host: placement settings from configuration, sizes from the facts. */
export function toHost(config: HostConfig, facts: HostFacts, up: boolean, cpuUsage: number | null): HostDoc {
  return {
    name: config.name,
    cell: config.cell,
    zone: config.zone ?? null,
    enabled: config.enabled ?? true,
    state: up ? 'up' : 'down',
    vcpus: facts.cpus,
    memoryMb: facts.memoryMb,
    diskGb: facts.diskGb,
    cpuAllocationRatio: config.cpuAllocationRatio ?? 1,
    ramAllocationRatio: config.ramAllocationRatio ?? 1,
    diskAllocationRatio: config.diskAllocationRatio ?? 1,
    reservedVcpus: config.reservedVcpus ?? 0,
    reservedMemoryMb: config.reservedMemoryMb ?? 0,
    reservedDiskGb: config.reservedDiskGb ?? 0,
    hypervisorType: facts.hypervisorType,
    hypervisorVersion: facts.hypervisorVersion,
    cpuModel: facts.cpuModel,
    compatibleCpuModels: [...new Set([facts.cpuModel, ...(config.compatibleCpuModels ?? [])])],
    cpuUsage,
    ...(config.migrationBandwidthMbps ? { migrationBandwidthMbps: config.migrationBandwidthMbps } : {}),
  };
}
