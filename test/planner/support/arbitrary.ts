/**
 * fast-check generators of small, messy inventories: 2-8 hosts in 2 cells, random flavors,
 * server groups of every policy, every storage kind and status, some pinned or read-only
 * instances, disabled or down hosts, mixed hypervisor versions and CPU models. Instances are
 * placed without regard to capacity, so some hosts start over capacity, as in real clouds.
 */
import fc from 'fast-check';
import { parseInventory, type Inventory } from '../../../planner/model/inventory.js';

const flavors = [
  { vcpus: 1, memoryMb: 1024, diskGb: 10 },
  { vcpus: 2, memoryMb: 4096, diskGb: 20 },
  { vcpus: 4, memoryMb: 8192, diskGb: 40 },
  { vcpus: 2, memoryMb: 12288, diskGb: 20 },
];
const groups = [
  { id: 'anti', policy: 'anti-affinity' as const },
  { id: 'aff', policy: 'affinity' as const },
  { id: 'soft', policy: 'soft-anti-affinity' as const },
];

const hostArb = fc.record({
  cell: fc.constantFrom('c1', 'c2'),
  enabled: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
  up: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  vcpus: fc.constantFrom(4, 8, 16),
  memoryMb: fc.constantFrom(8192, 16384, 32768),
  diskGb: fc.constantFrom(40, 100, 400),
  cpuRatio: fc.constantFrom(1, 2, 4),
  ramRatio: fc.constantFrom(1, 1.5),
  reservedMemoryMb: fc.constantFrom(0, 1024),
  version: fc.constantFrom(7000000, 7000000, 7000000, 6000000, 8000000),
  cpuModel: fc.constantFrom('Skylake', 'Broadwell'),
  knowsOther: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
  cpuUsage: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

const instanceArb = fc.record({
  host: fc.nat({ max: 15 }),
  flavor: fc.constantFrom(...flavors),
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'PAUSED', 'SHUTOFF'),
  storage: fc.constantFrom('shared', 'shared', 'volume', 'local'),
  configDrive: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  cdrom: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  cpuMode: fc.constantFrom('host-model', 'host-model', 'host-passthrough', 'custom'),
  group: fc.constantFrom(null, null, null, 'anti', 'aff', 'soft'),
  pinned: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  cpuUsage: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

export const inventoryArb: fc.Arbitrary<Inventory> = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 2, maxLength: 8 }),
    instances: fc.array(instanceArb, { maxLength: 30 }),
  })
  .map(({ hosts, instances }) => {
    const doc = {
      hosts: hosts.map((h, k) => ({
        name: `h${k}`,
        cell: k < 2 ? 'c1' : h.cell,
        enabled: h.enabled || k < 2,
        state: h.up ? 'up' : 'down',
        vcpus: h.vcpus,
        memoryMb: h.memoryMb,
        diskGb: h.diskGb,
        cpuAllocationRatio: h.cpuRatio,
        ramAllocationRatio: h.ramRatio,
        reservedMemoryMb: h.reservedMemoryMb,
        hypervisorType: 'QEMU',
        hypervisorVersion: h.version,
        cpuModel: h.cpuModel,
        compatibleCpuModels: h.knowsOther ? ['Skylake', 'Broadwell'] : [h.cpuModel],
        cpuUsage: h.cpuUsage,
      })),
      instances: instances.map((i, k) => ({
        id: `i${k}`,
        name: `vm${k}`,
        host: `h${(i.host < 6 ? 0 : i.host) % hosts.length}`,
        status: i.status,
        ...i.flavor,
        storage: i.storage,
        configDrive: i.configDrive,
        cdrom: i.cdrom,
        cpuMode: i.cpuMode,
        cpuModel: i.cpuMode === 'custom' ? 'Broadwell' : null,
        serverGroup: i.group,
        pinned: i.pinned,
        cpuUsage: i.cpuUsage,
      })),
      serverGroups: groups,
    };
    const parsed = parseInventory(doc);
    if (!parsed.ok) throw new Error(`generator produced an invalid inventory: ${JSON.stringify(parsed.issues)}`);
    return parsed.inventory;
  });

/** An inventory and one of its hosts, one that runs instances whenever there is one. */
export const inventoryAndHostArb = inventoryArb.chain((inv) => {
  const busy = [...new Set(inv.instances.map((i) => i.host))];
  const names = busy.length ? busy : inv.hosts.map((h) => h.name);
  return fc.record({ inv: fc.constant(inv), host: fc.constantFrom(...names) });
});
