/** Small inventory builders for planner tests: every field explicit, defaults as in the spec. */
import type { Host, Instance, Inventory, ServerGroup } from '../../planner/index.js';
import { parseInventory } from '../../planner/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function host(name: string, over: Partial<Host> = {}): Host {
  return {
    name,
    cell: 'cell1',
    zone: null,
    enabled: true,
    state: 'up',
    vcpus: 32,
    memoryMb: 65536,
    diskGb: 1000,
    cpuAllocationRatio: 1,
    ramAllocationRatio: 1,
    diskAllocationRatio: 1,
    reservedVcpus: 0,
    reservedMemoryMb: 0,
    reservedDiskGb: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 7002000,
    cpuModel: 'Skylake-Server',
    compatibleCpuModels: ['Skylake-Server', 'Broadwell'],
    cpuUsage: null,
    migrationBandwidthMbps: null,
    ...over,
  };
}

export function vm(name: string, hostName: string, over: Partial<Instance> = {}): Instance {
  return {
    id: `id-${name}`,
    name,
    host: hostName,
    status: 'ACTIVE',
    vcpus: 2,
    memoryMb: 4096,
    diskGb: 20,
    storage: 'shared',
    configDrive: false,
    cdrom: false,
    cpuMode: 'host-model',
    cpuModel: null,
    serverGroup: null,
    cpuUsage: null,
    dirtyRateMbps: null,
    pinned: false,
    ...over,
  };
}

export function inventory(hosts: Host[], instances: Instance[], serverGroups: ServerGroup[] = []): Inventory {
  return { hosts, instances, serverGroups };
}

/** A scenario fixture from test/fixtures/scenarios, parsed. */
export function scenario(name: string): Inventory {
  const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`), 'utf8'));
  const parsed = parseInventory(doc);
  if (!parsed.ok) throw new Error(`fixture ${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.inventory;
}
