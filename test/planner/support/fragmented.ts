/**
 * Random fragmented cells for the make-room properties: 3-5 hosts of 16 GiB, the drained ones
 * carrying 6-14 GiB VMs, the others 0-3 VMs of 2-10 GiB (some pinned, some in an anti-affinity
 * group, some on local storage) within capacity; and a brute force over end placements.
 */
import fc from 'fast-check';
import type { Instance, Inventory } from '../../../planner/index.js';
import { host, inventory, vm } from '../constraints-helpers.js';

const GIB = 1024;
const CAP = 16 * GIB;

const vmArb = (pinnedOneIn: number) =>
  fc.record({
    gib: fc.constantFrom(2, 4, 6, 8, 10),
    vcpus: fc.constantFrom(1, 2, 4),
    group: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    pinned: fc.integer({ min: 0, max: pinnedOneIn - 1 }).map((n) => n === 0),
    local: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  });

/** Cells with one VM in `pinnedOneIn` pinned (more pinned VMs: more hosts that cannot be emptied). */
export const fragmentedCells = (pinnedOneIn = 10) =>
  fc
    .record({
      hosts: fc.integer({ min: 3, max: 5 }),
      drainTwo: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      drained: fc.array(fc.constantFrom(6, 8, 10, 12, 14), { minLength: 1, maxLength: 2 }),
      others: fc.array(fc.array(vmArb(pinnedOneIn), { maxLength: 3 }), { minLength: 4, maxLength: 4 }),
    })
    .map(({ hosts, drainTwo, drained, others }): { inv: Inventory; drain: string[] } => {
      const names = Array.from({ length: hosts }, (_, k) => `h${k}`);
      const drain = drainTwo && hosts > 3 ? ['h0', 'h1'] : ['h0'];
      const instances: Instance[] = drained.map((g, k) => vm(`x${k}`, drain[k % drain.length], { memoryMb: g * GIB }));
      names.slice(drain.length).forEach((h, k) => {
        let used = 0;
        let member = false; // anti-affinity holds before the plan too
        for (const [j, o] of (others[k] ?? []).entries()) {
          if (used + o.gib * GIB > CAP || (o.group && member)) continue;
          used += o.gib * GIB;
          member ||= o.group;
          instances.push(
            vm(`${h}v${j}`, h, {
              memoryMb: o.gib * GIB,
              vcpus: o.vcpus,
              serverGroup: o.group ? 'G' : null,
              pinned: o.pinned,
              storage: o.local ? 'local' : 'shared',
              diskGb: 20,
            }),
          );
        }
      });
      const hs = names.map((n) => host(n, { memoryMb: CAP, vcpus: 16, diskGb: 100 }));
      return { inv: inventory(hs, instances, [{ id: 'G', policy: 'anti-affinity' }]), drain };
    });

/** True when some end placement empties the drained hosts under capacity and anti-affinity. */
export function somePlacementExists(inv: Inventory, drain: string[]): boolean {
  const targets = inv.hosts.filter((h) => !drain.includes(h.name)).map((h) => h.name);
  const mem = new Map(targets.map((t) => [t, 0]));
  const cpu = new Map(targets.map((t) => [t, 0]));
  const disk = new Map(targets.map((t) => [t, 0]));
  const group = new Set<string>();
  const list = [...inv.instances].sort((a, b) => b.memoryMb - a.memoryMb);
  const go = (k: number): boolean => {
    if (k === list.length) return true;
    const inst = list[k];
    const options = inst.pinned ? [inst.host] : targets;
    for (const t of options) {
      if (!mem.has(t)) continue; // a pinned instance on a drained host: nothing empties it
      const m = mem.get(t)! + inst.memoryMb;
      const c = cpu.get(t)! + inst.vcpus;
      const d = disk.get(t)! + (inst.storage === 'local' ? inst.diskGb : 0);
      const g = inst.serverGroup === 'G';
      if (m > CAP || c > 16 || d > 100 || (g && group.has(t))) continue;
      mem.set(t, m);
      cpu.set(t, c);
      disk.set(t, d);
      if (g) group.add(t);
      if (go(k + 1)) return true;
      mem.set(t, m - inst.memoryMb);
      cpu.set(t, c - inst.vcpus);
      disk.set(t, d - (inst.storage === 'local' ? inst.diskGb : 0));
      if (g) group.delete(t);
    }
    return false;
  };
  return go(0);
}

export const fragmentedCellArb = fragmentedCells();
