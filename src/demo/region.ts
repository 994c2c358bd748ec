/**
 * The demo region: a seeded, realistic inventory for the zero-config start and the benchmarks.
 * A few cells of hosts from two hardware generations, loaded 20-90% with common flavors, some
 * hot spots, anti-affinity server groups and about 15% of instances on local disks.
 */
import {
  usableDiskGb,
  usableMemoryMb,
  usableVcpus,
  type Host,
  type Instance,
  type Inventory,
  type ServerGroup,
} from '../../planner/index.js';
import { createRandom, type Random } from './random.js';

export interface DemoRegionOptions {
  /** Same seed, same region. */
  seed: number;
  /** Number of cells. @default 3 */
  cells?: number;
  /** Total number of hosts, spread evenly over the cells. @default 72 */
  size?: number;
}

interface Flavor {
  name: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

const FLAVORS: Flavor[] = [
  { name: 'm1.small', vcpus: 1, memoryMb: 2048, diskGb: 20 },
  { name: 'm1.medium', vcpus: 2, memoryMb: 4096, diskGb: 40 },
  { name: 'm1.large', vcpus: 4, memoryMb: 8192, diskGb: 80 },
  { name: 'r1.large', vcpus: 4, memoryMb: 16384, diskGb: 80 },
  { name: 'm1.xlarge', vcpus: 8, memoryMb: 16384, diskGb: 160 },
  { name: 'r1.xlarge', vcpus: 8, memoryMb: 32768, diskGb: 160 },
  { name: 'r1.2xlarge', vcpus: 16, memoryMb: 65536, diskGb: 320 },
];
const FLAVOR_WEIGHTS = [10, 25, 25, 12, 15, 8, 5];

const GENERATIONS = [
  {
    cpuModel: 'Cascadelake-Server',
    compatible: ['Cascadelake-Server', 'Skylake-Server'],
    vcpus: 64,
    memoryMb: 393216,
    version: 6002000,
  },
  {
    cpuModel: 'Icelake-Server',
    compatible: ['Icelake-Server', 'Cascadelake-Server', 'Skylake-Server'],
    vcpus: 96,
    memoryMb: 786432,
    version: 8002000,
  },
];

function makeHost(rnd: Random, cell: string, index: number): Host {
  const gen = rnd.pick(GENERATIONS, [3, 2]);
  return {
    name: `${cell}-host${String(index + 1).padStart(2, '0')}`,
    cell,
    zone: 'nova',
    enabled: true,
    state: 'up',
    vcpus: gen.vcpus,
    memoryMb: gen.memoryMb,
    diskGb: 3000,
    cpuAllocationRatio: 4,
    ramAllocationRatio: 1,
    diskAllocationRatio: 1,
    reservedVcpus: 2,
    reservedMemoryMb: 8192,
    reservedDiskGb: 100,
    hypervisorType: 'QEMU',
    hypervisorVersion: gen.version,
    cpuModel: gen.cpuModel,
    compatibleCpuModels: gen.compatible,
    cpuUsage: null,
    migrationBandwidthMbps: 10000,
  };
}

/** Usage of a host so far, to fill it up to its target load. */
interface Fill {
  host: Host;
  memoryMb: number;
  vcpus: number;
  diskGb: number;
  target: number;
}

function fits(f: Fill, fl: Flavor, local: boolean): boolean {
  const h = f.host;
  const mem = usableMemoryMb(h);
  const cpu = usableVcpus(h);
  const disk = usableDiskGb(h);
  return (
    f.memoryMb + fl.memoryMb <= mem * f.target && f.vcpus + fl.vcpus <= cpu && (!local || f.diskGb + fl.diskGb <= disk)
  );
}

function makeInstance(rnd: Random, f: Fill, fl: Flavor, n: number, group: string | null): Instance {
  const local = group === null && rnd.next() < 0.15;
  const status = rnd.next() < 0.05 ? 'SHUTOFF' : 'ACTIVE';
  f.memoryMb += fl.memoryMb;
  f.vcpus += fl.vcpus;
  if (local) f.diskGb += fl.diskGb;
  return {
    id: rnd.uuid(),
    name: `vm-${String(n).padStart(4, '0')}-${fl.name}`,
    host: f.host.name,
    status,
    vcpus: fl.vcpus,
    memoryMb: fl.memoryMb,
    diskGb: fl.diskGb,
    storage: local ? 'local' : rnd.next() < 0.3 ? 'volume' : 'shared',
    configDrive: !local && rnd.next() < 0.1,
    cdrom: false,
    cpuMode: 'host-model',
    cpuModel: null,
    serverGroup: group,
    cpuUsage: status === 'SHUTOFF' ? 0 : Math.round(rnd.next() * 45 + 5) / 100,
    dirtyRateMbps: rnd.int(10, 400),
    pinned: false,
  };
}

/** Anti-affinity groups of 3-4 members, each member on a different host of the cell. */
function placeGroups(rnd: Random, cell: string, fills: Fill[], out: Instance[], groups: ServerGroup[]): void {
  const count = Math.max(1, Math.floor(fills.length / 10));
  for (let g = 0; g < count; g++) {
    const id = `${cell}-sg-${['web', 'db', 'cache', 'queue', 'api'][g % 5]}${g >= 5 ? g : ''}`;
    groups.push({ id, policy: g % 4 === 3 ? 'soft-anti-affinity' : 'anti-affinity' });
    const members = Math.min(fills.length - 1, rnd.int(3, 4));
    const start = rnd.int(0, fills.length - 1);
    for (let m = 0; m < members; m++) {
      const f = fills[(start + m * 3) % fills.length];
      const fl = FLAVORS[2];
      if (fits(f, fl, false)) out.push(makeInstance(rnd, f, fl, out.length + 1, id));
    }
  }
}

function fillHost(rnd: Random, f: Fill, out: Instance[]): void {
  for (let misses = 0; misses < 8; ) {
    const fl = rnd.pick(FLAVORS, FLAVOR_WEIGHTS);
    if (fits(f, fl, true)) out.push(makeInstance(rnd, f, fl, out.length + 1, null));
    else misses++;
  }
}

/** Host CPU utilisation from its instances' vCPU usage, as the collector would measure it. */
function measure(hosts: Host[], instances: Instance[]): void {
  const busy = new Map<string, number>();
  for (const i of instances) busy.set(i.host, (busy.get(i.host) ?? 0) + i.vcpus * (i.cpuUsage ?? 0));
  for (const h of hosts) h.cpuUsage = Math.min(1, Math.round(((busy.get(h.name) ?? 0) / h.vcpus) * 1000) / 1000);
}

/** Generates the demo region. Deterministic for a given seed and size. */
export function demoRegion(options: DemoRegionOptions): Inventory {
  const rnd = createRandom(options.seed);
  const cells = options.cells ?? 3;
  const size = options.size ?? 72;
  const hosts: Host[] = [];
  const instances: Instance[] = [];
  const serverGroups: ServerGroup[] = [];
  for (let c = 0; c < cells; c++) {
    const cell = `cell${c + 1}`;
    const count = Math.floor(size / cells) + (c < size % cells ? 1 : 0);
    const fills: Fill[] = Array.from({ length: count }, (_, i) => {
      const host = makeHost(rnd, cell, i);
      // About one host in ten is a hot spot; the rest spread over 20-75% memory allocation.
      const target = rnd.next() < 0.1 ? 0.85 + rnd.next() * 0.05 : 0.2 + rnd.next() * 0.55;
      return { host, memoryMb: 0, vcpus: 0, diskGb: 0, target };
    });
    placeGroups(rnd, cell, fills, instances, serverGroups);
    for (const f of fills) fillHost(rnd, f, instances);
    hosts.push(...fills.map((f) => f.host));
  }
  measure(hosts, instances);
  return { hosts, instances, serverGroups };
}
