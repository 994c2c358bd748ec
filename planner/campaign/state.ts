/**
 * Where every instance is as a campaign's steps go by: a private copy of the inventory whose
 * instances move as steps are applied, with per-host load and movable GiB kept up to date, and
 * the sub-inventories the per-step drains plan on (a drain needs its own hosts, its candidate
 * destinations and what runs there, not the whole cell).
 */
import type { Host, Instance, Inventory } from '../model/inventory.js';
import type { Move } from '../model/plan.js';
import { usableMemoryMb, usableVcpus } from '../metrics.js';
import { migrationMode, moveGib } from '../estimate.js';

export interface CampaignState {
  readonly inventory: Inventory;
  readonly hostIndex: ReadonlyMap<string, number>;
  /** Instances per host index (insertion order: deterministic). */
  readonly onHost: Set<Instance>[];
  /** vCPUs and memory allocated per host index. */
  readonly vcpus: Float64Array;
  readonly memoryMb: Float64Array;
  /** GiB a drain of the host would copy now (its movable instances). */
  readonly movableGib: Float64Array;
  readonly byId: ReadonlyMap<string, Instance>;
  readonly affinityMembers: ReadonlyMap<string, readonly Instance[]>;
}

function gibOf(inst: Instance): number {
  const d = migrationMode(inst);
  return d.mode === null ? 0 : moveGib(inst, d.mode);
}

/** A state holding the inventory's placement; the inventory itself is never changed. */
export function createState(source: Inventory): CampaignState {
  const instances = source.instances.map((i) => ({ ...i }));
  const inventory: Inventory = { hosts: source.hosts, instances, serverGroups: source.serverGroups };
  const hostIndex = new Map(source.hosts.map((h, k) => [h.name, k]));
  const n = source.hosts.length;
  const state: CampaignState = {
    inventory,
    hostIndex,
    onHost: source.hosts.map(() => new Set()),
    vcpus: new Float64Array(n),
    memoryMb: new Float64Array(n),
    movableGib: new Float64Array(n),
    byId: new Map(instances.map((i) => [i.id, i])),
    affinityMembers: affinityIndex(inventory),
  };
  for (const inst of instances) place(state, inst, 1);
  return state;
}

function affinityIndex(inv: Inventory): Map<string, Instance[]> {
  const affinity = new Set(inv.serverGroups.filter((g) => g.policy === 'affinity').map((g) => g.id));
  const out = new Map<string, Instance[]>();
  for (const inst of inv.instances) {
    if (!inst.serverGroup || !affinity.has(inst.serverGroup)) continue;
    const list = out.get(inst.serverGroup);
    if (list) list.push(inst);
    else out.set(inst.serverGroup, [inst]);
  }
  return out;
}

function place(s: CampaignState, inst: Instance, sign: 1 | -1): void {
  const k = s.hostIndex.get(inst.host);
  if (k === undefined) return;
  if (sign > 0) s.onHost[k].add(inst);
  else s.onHost[k].delete(inst);
  s.vcpus[k] += sign * inst.vcpus;
  s.memoryMb[k] += sign * inst.memoryMb;
  s.movableGib[k] += sign * gibOf(inst);
}

/** Moves instances to their destinations, in wave order (the last move of an instance wins). */
export function applyMoves(s: CampaignState, moves: readonly Move[]): void {
  const ordered = [...moves].sort((a, b) => a.wave - b.wave);
  for (const m of ordered) relocate(s, m.instance, m.to);
}

/** Undoes `applyMoves(s, moves)`. */
export function undoMoves(s: CampaignState, moves: readonly Move[]): void {
  const ordered = [...moves].sort((a, b) => b.wave - a.wave);
  for (const m of ordered) relocate(s, m.instance, m.from);
}

function relocate(s: CampaignState, id: string, to: string): void {
  const inst = s.byId.get(id)!;
  place(s, inst, -1);
  inst.host = to;
  place(s, inst, 1);
}

/** Allocation of host `k`: the larger of its vCPU and memory fractions (Infinity without capacity). */
export function loadOf(s: CampaignState, k: number): number {
  const h = s.inventory.hosts[k];
  const frac = (used: number, cap: number) => (cap > 0 ? used / cap : used > 0 ? Infinity : 0);
  return Math.max(frac(s.vcpus[k], usableVcpus(h)), frac(s.memoryMb[k], usableMemoryMb(h)));
}

/** Hosts holding members of the affinity groups of instances on `hosts` (they constrain a drain). */
export function affinityHosts(s: CampaignState, hosts: readonly number[]): Set<number> {
  const out = new Set<number>();
  for (const k of hosts) {
    for (const inst of s.onHost[k]) {
      const members = inst.serverGroup ? s.affinityMembers.get(inst.serverGroup) : undefined;
      for (const m of members ?? []) out.add(s.hostIndex.get(m.host)!);
    }
  }
  return out;
}

/** The inventory restricted to `hosts` (inventory order) and the instances on them. */
export function subInventory(s: CampaignState, hosts: ReadonlySet<number>): Inventory {
  const list: Host[] = [];
  const instances: Instance[] = [];
  s.inventory.hosts.forEach((h, k) => {
    if (!hosts.has(k)) return;
    list.push(h);
    for (const inst of s.onHost[k]) instances.push(inst);
  });
  return { hosts: list, instances, serverGroups: s.inventory.serverGroups };
}
