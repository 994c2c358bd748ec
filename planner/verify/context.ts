/**
 * What the verifier learns about the inventory before replaying a plan, in ONE pass over the
 * instances per snapshot (region inventories hold 100k of them): per-host usage, hard server-group
 * membership, the instances on drained hosts, and only those instances the plan names.
 */
import type { Host, Instance, Inventory, ServerGroup } from '../model/inventory.js';
import type { Plan } from '../model/plan.js';
import type { PlannerOptions } from '../model/options.js';
import type { Violation } from '../model/verify.js';

/** The options the verifier honours. */
export type VerifyOptions = Pick<PlannerOptions, 'avoidHosts' | 'exclusions' | 'timeoutPerGiBSeconds'>;

/** Nova's live_migration_completion_timeout default, seconds per GiB. */
export const DEFAULT_TIMEOUT_PER_GIB_SECONDS = 800;

export interface VerifyContext {
  hostIndex: Map<string, number>;
  hosts: Host[];
  /** The instances the plan names (moves and unplaced), by id. */
  instances: Map<string, Instance>;
  groups: Map<string, ServerGroup>;
  /** Per-host usage before the plan: vCPUs, memory MiB, local disk GB. */
  usage: [Float64Array, Float64Array, Float64Array];
  /** Hard (anti-)affinity group id -> host index -> members there before the plan. */
  members: Map<string, Map<number, number>>;
  /** Instances on the hosts a drain plan empties. */
  onDrained: Instance[];
  /** Hosts named by a drain plan's target. */
  drained: Set<string>;
  avoid: Set<string>;
  /** Hosts excluded for every instance. */
  excludedHosts: Set<string>;
  /** `instance\0host` pairs excluded. */
  excludedPairs: Set<string>;
  timeoutPerGiB: number;
  violations: Violation[];
}

export function pairKey(instance: string, host: string): string {
  return `${instance}\u0000${host}`;
}

/** Local disk counts only for local storage. */
export function demand(inst: Instance): [number, number, number] {
  return [inst.vcpus, inst.memoryMb, inst.storage === 'local' ? inst.diskGb : 0];
}

/**
 * The verifier's own read of one inventory snapshot (never the planner's indexes): hosts and
 * groups by name, per-host usage, hard group membership, and instances by id and by host. Every
 * plan verified against the snapshot copies the mutable parts (usage, membership) from it.
 */
interface SnapshotRead {
  hostIndex: Map<string, number>;
  groups: Map<string, ServerGroup>;
  usage: [Float64Array, Float64Array, Float64Array];
  members: Map<string, Map<number, number>>;
  byId: Map<string, Instance>;
  /** Positions in `inventory.instances` of the instances on each host, ascending. */
  onHost: number[][];
}

/** Per inventory object: snapshots are immutable, and the service verifies many plans against one. */
const snapshots = new WeakMap<Inventory, SnapshotRead>();

function readSnapshot(inventory: Inventory): SnapshotRead {
  const known = snapshots.get(inventory);
  if (known) return known;
  const n = inventory.hosts.length;
  const read: SnapshotRead = {
    hostIndex: new Map(inventory.hosts.map((h, i) => [h.name, i])),
    groups: new Map(inventory.serverGroups.map((g) => [g.id, g])),
    usage: [new Float64Array(n), new Float64Array(n), new Float64Array(n)],
    members: new Map(),
    byId: new Map(),
    onHost: inventory.hosts.map(() => []),
  };
  const [cpu, mem, disk] = read.usage;
  const { hostIndex, groups, members } = read;
  const list = inventory.instances;
  for (let k = 0; k < list.length; k++) {
    const inst = list[k];
    read.byId.set(inst.id, inst);
    const h = hostIndex.get(inst.host);
    if (h === undefined) continue;
    read.onHost[h].push(k);
    cpu[h] += inst.vcpus;
    mem[h] += inst.memoryMb;
    if (inst.storage === 'local') disk[h] += inst.diskGb;
    const group = inst.serverGroup;
    if (group === null) continue;
    const policy = groups.get(group)?.policy;
    if (policy !== 'anti-affinity' && policy !== 'affinity') continue;
    let m = members.get(group);
    if (!m) {
      m = new Map();
      members.set(group, m);
    }
    m.set(h, (m.get(h) ?? 0) + 1);
  }
  snapshots.set(inventory, read);
  return read;
}

/** Instances on the drained hosts, in inventory order. */
function onDrainedHosts(inventory: Inventory, read: SnapshotRead, drained: Set<string>): Instance[] {
  const positions: number[] = [];
  for (const name of drained) {
    const h = read.hostIndex.get(name);
    if (h !== undefined) positions.push(...read.onHost[h]);
  }
  return positions.sort((a, b) => a - b).map((k) => inventory.instances[k]);
}

export function createContext(inventory: Inventory, plan: Plan, options: VerifyOptions): VerifyContext {
  const read = readSnapshot(inventory);
  const drained = new Set(plan.goal === 'drain' ? (plan.target.hosts ?? []) : []);
  const ctx: VerifyContext = {
    hostIndex: read.hostIndex,
    hosts: inventory.hosts,
    instances: new Map(),
    groups: read.groups,
    usage: [read.usage[0].slice(), read.usage[1].slice(), read.usage[2].slice()],
    members: new Map([...read.members].map(([g, m]) => [g, new Map(m)])),
    onDrained: onDrainedHosts(inventory, read, drained),
    drained,
    avoid: new Set(options.avoidHosts ?? []),
    excludedHosts: new Set(),
    excludedPairs: new Set(),
    timeoutPerGiB: options.timeoutPerGiBSeconds ?? DEFAULT_TIMEOUT_PER_GIB_SECONDS,
    violations: [],
  };
  for (const e of options.exclusions ?? []) {
    if (e.instance === undefined) ctx.excludedHosts.add(e.host);
    else ctx.excludedPairs.add(pairKey(e.instance, e.host));
  }
  for (const id of [...plan.moves.map((m) => m.instance), ...plan.unplaced.map((u) => u.instance)]) {
    const inst = read.byId.get(id);
    if (inst) ctx.instances.set(id, inst);
  }
  return ctx;
}

/** Records a violation; `wave` null for end-state rules. */
export function report(ctx: VerifyContext, v: Violation): void {
  ctx.violations.push(v);
}
