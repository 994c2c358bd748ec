/**
 * What the verifier learns about the inventory before replaying a plan, in ONE pass over the
 * instances (region inventories hold 100k of them): per-host usage, hard server-group
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

function scanInstances(ctx: VerifyContext, inventory: Inventory, named: Set<string>): void {
  const [cpu, mem, disk] = ctx.usage;
  const { hostIndex, instances, drained, groups, members } = ctx;
  const checkDrained = drained.size > 0;
  const list = inventory.instances;
  for (let k = 0; k < list.length; k++) {
    const inst = list[k];
    if (named.has(inst.id)) instances.set(inst.id, inst);
    const h = hostIndex.get(inst.host);
    if (h === undefined) continue;
    cpu[h] += inst.vcpus;
    mem[h] += inst.memoryMb;
    if (inst.storage === 'local') disk[h] += inst.diskGb;
    if (checkDrained && drained.has(inst.host)) ctx.onDrained.push(inst);
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
}

export function createContext(inventory: Inventory, plan: Plan, options: VerifyOptions): VerifyContext {
  const n = inventory.hosts.length;
  const ctx: VerifyContext = {
    hostIndex: new Map(inventory.hosts.map((h, i) => [h.name, i])),
    hosts: inventory.hosts,
    instances: new Map(),
    groups: new Map(inventory.serverGroups.map((g) => [g.id, g])),
    usage: [new Float64Array(n), new Float64Array(n), new Float64Array(n)],
    members: new Map(),
    onDrained: [],
    drained: new Set(plan.goal === 'drain' ? (plan.target.hosts ?? []) : []),
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
  const named = new Set<string>();
  for (const m of plan.moves) named.add(m.instance);
  for (const u of plan.unplaced) named.add(u.instance);
  scanInstances(ctx, inventory, named);
  return ctx;
}

/** Records a violation; `wave` null for end-state rules. */
export function report(ctx: VerifyContext, v: Violation): void {
  ctx.violations.push(v);
}
