/**
 * Seeded inventory generator for the planner benchmarks: cells of identical hosts filled with
 * common flavours to a random memory level, and one host per request carrying a fixed number of
 * VMs to drain. Deterministic for a seed; no I/O.
 */
import type { Host, Instance, Inventory } from '../planner/index.js';

/** Linear congruential generator: small, fast and reproducible across runs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FLAVORS = [
  { vcpus: 1, memoryMb: 2048, diskGb: 20 },
  { vcpus: 2, memoryMb: 4096, diskGb: 40 },
  { vcpus: 4, memoryMb: 8192, diskGb: 80 },
  { vcpus: 8, memoryMb: 16384, diskGb: 160 },
  { vcpus: 16, memoryMb: 32768, diskGb: 320 },
  { vcpus: 2, memoryMb: 16384, diskGb: 40 },
];

export interface GenOptions {
  cells: number;
  hostsPerCell: number;
  seed?: number;
  /** Memory fill of ordinary hosts is drawn uniformly from this range. @default [0.35, 0.75] */
  fill?: [number, number];
  /** VMs placed on the first host of the first cell (the one the benchmark drains). @default 60 */
  drainVms?: number;
  /** Host size. @default 64 pCPU, 512 GiB */
  hostVcpus?: number;
  hostMemoryMb?: number;
}

/**
 * A host of the benchmarks' clusters: 64 pCPU, 512 GiB (8 GiB reserved), 4:1 CPU overcommit,
 * Skylake-Server, 10 Gbit/s; `over` changes what a generator needs different.
 */
export function benchHost(name: string, over: Partial<Host> = {}): Host {
  return {
    name,
    cell: 'cell1',
    zone: 'nova',
    enabled: true,
    state: 'up',
    vcpus: 64,
    memoryMb: 524288,
    diskGb: 4000,
    cpuAllocationRatio: 4,
    ramAllocationRatio: 1,
    diskAllocationRatio: 1,
    reservedVcpus: 0,
    reservedMemoryMb: 8192,
    reservedDiskGb: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 7002000,
    cpuModel: 'Skylake-Server',
    compatibleCpuModels: ['Skylake-Server', 'Broadwell', 'kvm64'],
    cpuUsage: 0,
    migrationBandwidthMbps: 10000,
    ...over,
  };
}

/** Instance `id` of the benchmarks (`i-<id>`, `vm-<id>`): an active host-model guest on shared storage. */
export function benchInstance(id: number, host: string, over: Partial<Instance> = {}): Instance {
  return {
    id: `i-${id}`,
    name: `vm-${id}`,
    host,
    status: 'ACTIVE',
    vcpus: 2,
    memoryMb: 4096,
    diskGb: 40,
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

function makeHost(name: string, cell: string, o: GenOptions, usage: number): Host {
  return benchHost(name, {
    cell,
    vcpus: o.hostVcpus ?? 64,
    memoryMb: o.hostMemoryMb ?? 524288,
    cpuUsage: Math.round(usage * 1000) / 1000,
  });
}

function makeInstance(id: number, host: string, f: (typeof FLAVORS)[number], r: () => number): Instance {
  return benchInstance(id, host, {
    ...f,
    storage: r() < 0.2 ? 'local' : 'shared',
    cpuUsage: Math.round((0.05 + r() * 0.6) * 1000) / 1000,
    dirtyRateMbps: Math.floor(r() * 200),
  });
}

/** Fills `host` with random flavours from `choices` up to `target` memory (or `count` VMs). */
function fillHost(
  h: Host,
  choices: typeof FLAVORS,
  target: number,
  count: number,
  r: () => number,
  next: () => number,
): Instance[] {
  const capMem = (h.memoryMb - h.reservedMemoryMb) * target;
  const capCpu = h.vcpus * h.cpuAllocationRatio * target;
  const out: Instance[] = [];
  let mem = 0;
  let cpu = 0;
  for (let guard = 0; guard < 1000 && out.length < count; guard++) {
    const f = choices[Math.floor(r() * choices.length)];
    if (mem + f.memoryMb > capMem || cpu + f.vcpus > capCpu) {
      if (count === Infinity) break;
      continue;
    }
    out.push(makeInstance(next(), h.name, f, r));
    mem += f.memoryMb;
    cpu += f.vcpus;
  }
  return out;
}

/** A region of `cells` x `hostsPerCell` hosts; host `c1-h0000` holds `drainVms` VMs. */
export function generateRegion(o: GenOptions): Inventory {
  const r = rng(o.seed ?? 1);
  const [lo, hi] = o.fill ?? [0.35, 0.75];
  let id = 0;
  const next = () => id++;
  const hosts: Host[] = [];
  const instances: Instance[] = [];
  for (let c = 1; c <= o.cells; c++) {
    for (let k = 0; k < o.hostsPerCell; k++) {
      const h = makeHost(`c${c}-h${String(k).padStart(4, '0')}`, `cell${c}`, o, 0.1 + r() * 0.5);
      hosts.push(h);
      const drain = c === 1 && k === 0;
      const vms = drain
        ? fillHost(h, FLAVORS.slice(0, 4), 0.98, o.drainVms ?? 60, r, next)
        : fillHost(h, FLAVORS, lo + r() * (hi - lo), Infinity, r, next);
      instances.push(...vms);
    }
  }
  return { hosts, instances, serverGroups: [] };
}

/** The host generateRegion loads with the VMs to drain. */
export const DRAIN_HOST = 'c1-h0000';
