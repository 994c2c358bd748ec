/**
 * Seeded generator of one unevenly loaded cell for the balance benchmark: hosts filled to random
 * levels with a mix of flavours, measured CPU per instance and per host, a few anti-affinity
 * groups, pinned instances and local-storage instances with config drives.
 */
import type { Host, Instance, Inventory, ServerGroup } from '../planner/index.js';
import { benchHost, benchInstance } from './gen.js';

/** mulberry32: small, fast, good enough for benchmark data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLAVOURS = [
  { vcpus: 1, memoryMb: 2048 },
  { vcpus: 2, memoryMb: 4096 },
  { vcpus: 2, memoryMb: 8192 },
  { vcpus: 4, memoryMb: 8192 },
  { vcpus: 4, memoryMb: 16384 },
  { vcpus: 8, memoryMb: 32768 },
  { vcpus: 16, memoryMb: 65536 },
];

export interface BalanceCellOptions {
  hosts: number;
  /** Mean instances per host. @default 20 */
  perHost?: number;
  seed?: number;
  /** Give hosts and instances measured CPU figures; without them balance works on memory alone. @default true */
  cpuKnown?: boolean;
}

function host(k: number): Host {
  return benchHost(`b-${String(k).padStart(4, '0')}`, { compatibleCpuModels: ['Skylake-Server', 'Broadwell'] });
}

function instance(r: () => number, id: number, h: Host, groups: ServerGroup[]): Instance {
  const f = FLAVOURS[Math.floor(r() * FLAVOURS.length)];
  const local = r() < 0.1;
  const group = groups.length && r() < 0.05 ? groups[Math.floor(r() * groups.length)].id : null;
  return benchInstance(id, h.name, {
    vcpus: f.vcpus,
    memoryMb: f.memoryMb,
    storage: local ? 'local' : 'shared',
    configDrive: local && r() < 0.3,
    serverGroup: group,
    cpuUsage: Math.round((0.05 + 0.9 * r() * r()) * 1000) / 1000,
    dirtyRateMbps: Math.round(20 + 200 * r()),
    pinned: r() < 0.02,
  });
}

/** One cell of `hosts` hosts, memory filled to a random 30-95 % per host. */
export function balanceCell(o: BalanceCellOptions): Inventory {
  const r = rng(o.seed ?? 1);
  const perHost = o.perHost ?? 20;
  const hosts = Array.from({ length: o.hosts }, (_, k) => host(k));
  const groups: ServerGroup[] = Array.from({ length: Math.ceil(o.hosts / 20) }, (_, k) => ({
    id: `sg-${k}`,
    policy: 'anti-affinity',
  }));
  const instances: Instance[] = [];
  const used = new Set<string>();
  for (const h of hosts) {
    const cap = h.memoryMb - h.reservedMemoryMb;
    const fill = 0.3 + 0.65 * r();
    let mem = 0;
    let vcpus = 0;
    for (let tries = 0, placed = 0; tries < perHost * 4 && placed < perHost * 2; tries++) {
      const inst = instance(r, instances.length, h, groups);
      const key = `${inst.serverGroup}/${h.name}`;
      if (inst.serverGroup && used.has(key)) inst.serverGroup = null;
      if (mem + inst.memoryMb > cap * fill || vcpus + inst.vcpus > h.vcpus * h.cpuAllocationRatio) continue;
      if (inst.serverGroup) used.add(key);
      mem += inst.memoryMb;
      vcpus += inst.vcpus;
      instances.push(inst);
      placed++;
      h.cpuUsage! += ((inst.cpuUsage ?? 0) * inst.vcpus) / h.vcpus;
    }
    h.cpuUsage = Math.min(1, Math.round(h.cpuUsage! * 1000) / 1000);
  }
  if (o.cpuKnown === false) {
    for (const h of hosts) h.cpuUsage = null;
    for (const i of instances) i.cpuUsage = null;
  }
  return { hosts, instances, serverGroups: groups };
}
