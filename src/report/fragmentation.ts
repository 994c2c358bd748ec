/**
 * Fragmentation: free capacity only helps if a whole instance fits on one host. For every
 * flavor size in the inventory, count how many more instances of it the cell could still take.
 */
import type { Instance } from '../../planner/index.js';
import type { FlavorFit, HostRow } from './model.js';

type Size = Pick<FlavorFit, 'vcpus' | 'memoryMb' | 'diskGb'>;

const keyOf = (s: Size) => `${s.vcpus}/${s.memoryMb}/${s.diskGb}`;

/** Distinct (vcpus, memoryMb, diskGb) sizes, largest memory first. */
export function flavorSizes(instances: readonly Instance[]): Size[] {
  const seen = new Map<string, Size>();
  for (const i of instances) {
    const s = { vcpus: i.vcpus, memoryMb: i.memoryMb, diskGb: i.diskGb };
    if (!seen.has(keyOf(s))) seen.set(keyOf(s), s);
  }
  return [...seen.values()].sort((a, b) => b.memoryMb - a.memoryMb || b.vcpus - a.vcpus || b.diskGb - a.diskGb);
}

/** How many instances of `size` fit into the free resources (floor of the tightest resource). */
function fitsOn(free: { cpu: number; mem: number; disk: number }, size: Size, local: boolean): number {
  let n = Math.min(Math.floor(free.cpu / size.vcpus), Math.floor(free.mem / size.memoryMb));
  if (local && size.diskGb > 0) n = Math.min(n, Math.floor(free.disk / size.diskGb));
  return Math.max(0, n);
}

/**
 * Per size: instances of it in the cell and how many more fit, summed over the in-service hosts
 * (each host on its own: capacity split across hosts does not add up).
 */
export function fragmentation(
  rows: readonly HostRow[],
  cellInstances: readonly Instance[],
  sizes: readonly Size[],
): FlavorFit[] {
  const free = rows
    .filter((r) => r.inService)
    .map((r) => ({
      cpu: Math.max(0, r.resources.vcpus.headroom),
      mem: Math.max(0, r.resources.memoryMb.headroom),
      disk: Math.max(0, r.resources.diskGb.headroom),
    }));
  const counts = new Map<string, number>();
  for (const i of cellInstances) {
    const k = keyOf(i);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return sizes.map((s) => {
    let fitShared = 0;
    let fitLocal = 0;
    for (const f of free) {
      fitShared += fitsOn(f, s, false);
      fitLocal += fitsOn(f, s, true);
    }
    return { ...s, count: counts.get(keyOf(s)) ?? 0, fitShared, fitLocal };
  });
}
