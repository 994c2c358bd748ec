/**
 * Seeded fragmented cells for the make-room benchmark: every ordinary host is filled with 4, 8
 * and 16 GiB VMs to 8-28 GiB free, so the cell has room in total but no host can take a 32 GiB
 * VM; the drained hosts carry 32 GiB VMs. Deterministic for a seed; no I/O.
 */
import type { Host, Instance, Inventory } from '../planner/index.js';
import { benchHost, benchInstance, rng } from './gen.js';

const GIB = 1024;
const HOST_GIB = 128;
const SIZES = [4, 8, 16];

export interface FragmentedOptions {
  hosts: number;
  /** Hosts to drain (the first ones), each holding four 32 GiB VMs. */
  drained: number;
  seed?: number;
}

function makeHost(name: string): Host {
  return benchHost(name, {
    memoryMb: HOST_GIB * GIB,
    reservedMemoryMb: 0,
    compatibleCpuModels: ['Skylake-Server'],
    cpuUsage: null,
  });
}

function makeInstance(id: number, host: string, gib: number): Instance {
  return benchInstance(id, host, { vcpus: Math.max(1, gib / 4), memoryMb: gib * GIB, diskGb: 20, dirtyRateMbps: 50 });
}

/** One cell of `hosts` hosts; the first `drained` hold the VMs to drain (names in `drain`). */
export function generateFragmented(o: FragmentedOptions): { inventory: Inventory; drain: string[] } {
  const r = rng(o.seed ?? 7);
  const hosts: Host[] = [];
  const instances: Instance[] = [];
  let id = 0;
  for (let k = 0; k < o.hosts; k++) {
    const h = makeHost(`f-h${String(k).padStart(4, '0')}`);
    hosts.push(h);
    if (k < o.drained) {
      for (let j = 0; j < 4; j++) instances.push(makeInstance(id++, h.name, 32));
      continue;
    }
    const limit = HOST_GIB - (8 + r() * 16);
    let used = 0;
    for (let guard = 0; guard < 100; guard++) {
      const gib = SIZES[Math.floor(r() * SIZES.length)];
      if (used + gib > limit) continue;
      instances.push(makeInstance(id++, h.name, gib));
      used += gib;
    }
    while (used + 4 <= limit) {
      instances.push(makeInstance(id++, h.name, 4));
      used += 4;
    }
  }
  return { inventory: { hosts, instances, serverGroups: [] }, drain: hosts.slice(0, o.drained).map((h) => h.name) };
}
