/**
 * Indexes the verifier builds once per plan: hosts, instances and groups by key, the hosts that
 * may not receive anything, and the timeout budget. Linear in the inventory size.
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
  inventory: Inventory;
  hostIndex: Map<string, number>;
  hosts: Host[];
  instances: Map<string, Instance>;
  groups: Map<string, ServerGroup>;
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

export function createContext(inventory: Inventory, plan: Plan, options: VerifyOptions): VerifyContext {
  const hostIndex = new Map<string, number>();
  inventory.hosts.forEach((h, i) => hostIndex.set(h.name, i));
  const instances = new Map<string, Instance>();
  for (const inst of inventory.instances) instances.set(inst.id, inst);
  const excludedHosts = new Set<string>();
  const excludedPairs = new Set<string>();
  for (const e of options.exclusions ?? []) {
    if (e.instance === undefined) excludedHosts.add(e.host);
    else excludedPairs.add(pairKey(e.instance, e.host));
  }
  return {
    inventory,
    hostIndex,
    hosts: inventory.hosts,
    instances,
    groups: new Map(inventory.serverGroups.map((g) => [g.id, g])),
    drained: new Set(plan.goal === 'drain' ? plan.target.hosts ?? [] : []),
    avoid: new Set(options.avoidHosts ?? []),
    excludedHosts,
    excludedPairs,
    timeoutPerGiB: options.timeoutPerGiBSeconds ?? DEFAULT_TIMEOUT_PER_GIB_SECONDS,
    violations: [],
  };
}

/** Records a violation; `wave` null for end-state rules. */
export function report(ctx: VerifyContext, v: Violation): void {
  ctx.violations.push(v);
}
