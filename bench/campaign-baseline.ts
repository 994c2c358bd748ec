/**
 * Baseline for campaign benchmarks: rolling drains one host at a time, in inventory order, each
 * instance sent to the host of its cell with the most free memory that has room (what Nova's
 * default RAM weigher does, with its capacity and anti-affinity filters). Nothing prefers patched
 * hosts, so instances may land on hosts drained later and move again. The generated cells are
 * homogeneous (one hypervisor, one CPU model), so only capacity and anti-affinity filter.
 */
import type { Inventory } from '../planner/index.js';
import { usableDiskGb, usableMemoryMb, usableVcpus } from '../planner/metrics.js';
import { migrationMode, moveGib } from '../planner/estimate.js';

export interface RollingResult {
  steps: number;
  moves: number;
  gib: number;
  movedTwice: number;
  unplaced: number;
}

export function rollingDrains(inv: Inventory, targets: string[]): RollingResult {
  const index = new Map(inv.hosts.map((h, k) => [h.name, k]));
  const free = inv.hosts.map((h) => ({ vcpus: usableVcpus(h), memoryMb: usableMemoryMb(h), diskGb: usableDiskGb(h) }));
  const on = inv.hosts.map(() => new Set<number>());
  const anti = new Set(inv.serverGroups.filter((g) => g.policy === 'anti-affinity').map((g) => g.id));
  const groupAt = new Map<string, number>(); // `${group}\0${host}` -> members
  const where = inv.instances.map((i) => index.get(i.host)!);
  const disk = (k: number) => (inv.instances[k].storage === 'local' ? inv.instances[k].diskGb : 0);
  const key = (k: number, h: number) => `${inv.instances[k].serverGroup}\u0000${h}`;
  const shift = (k: number, h: number, sign: 1 | -1) => {
    const i = inv.instances[k];
    free[h].vcpus -= sign * i.vcpus;
    free[h].memoryMb -= sign * i.memoryMb;
    free[h].diskGb -= sign * disk(k);
    if (sign > 0) on[h].add(k);
    else on[h].delete(k);
    if (i.serverGroup && anti.has(i.serverGroup)) groupAt.set(key(k, h), (groupAt.get(key(k, h)) ?? 0) + sign);
  };
  for (let k = 0; k < inv.instances.length; k++) shift(k, where[k], 1);
  const movedIn = new Map<number, number>();
  const out: RollingResult = { steps: targets.length, moves: 0, gib: 0, movedTwice: 0, unplaced: 0 };
  targets.forEach((name, step) => {
    const src = index.get(name)!;
    const cell = inv.hosts[src].cell;
    for (const k of [...on[src]]) {
      const inst = inv.instances[k];
      const mode = migrationMode(inst).mode;
      let best = -1;
      for (let h = 0; h < inv.hosts.length && mode !== null; h++) {
        const host = inv.hosts[h];
        if (h === src || host.cell !== cell || !host.enabled || host.state !== 'up') continue;
        const f = free[h];
        if (f.vcpus < inst.vcpus || f.memoryMb < inst.memoryMb || f.diskGb < disk(k)) continue;
        if (inst.serverGroup && anti.has(inst.serverGroup) && (groupAt.get(key(k, h)) ?? 0) > 0) continue;
        if (best < 0 || f.memoryMb > free[best].memoryMb) best = h;
      }
      if (best < 0) {
        out.unplaced++;
        continue;
      }
      shift(k, src, -1);
      shift(k, best, 1);
      out.moves++;
      out.gib += moveGib(inst, mode!);
      const first = movedIn.get(k);
      if (first === undefined) movedIn.set(k, step);
      else if (first !== -1 && first !== step) {
        out.movedTwice++;
        movedIn.set(k, -1);
      }
    }
  });
  return out;
}
