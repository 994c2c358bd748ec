/** Shared set-up of the real-libvirt end-to-end tests: lab hosts, store, orchestrator, checks. */
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../executor/clock.js';
import { createLibvirtHypervisor } from '../../executor/hypervisor/libvirt/index.js';
import type { DomainLocation, HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { ExecutorOptionsInput } from '../../executor/options.js';
import type { ServiceStore } from '../../src/store/port.js';
import type { Inventory, Plan } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { createPlanLifecycle, type PlanLifecycle } from '../../src/orchestrate/lifecycle.js';
import { openStore } from '../../src/store/sqlite.js';
import type { Lab } from '../support/lab.js';

/**
 * The lab's hosts as a minimal configuration gives them: names, URIs, migration URIs and cells.
 * Which guest CPUs each host can run is asked of its hypervisor during collection.
 */
export const labHosts = (lab: Lab): HostConfig[] =>
  lab.hosts.map(({ name, uri, migrationUri, cell }) => ({ name, uri, migrationUri, cell }));
export const LAB_GROUPS = [{ id: 'lab-group', policy: 'soft-anti-affinity' as const }];

/** CPU sampling and dirty-rate measurement of a collection (both off unless asked). */
export interface CollectTimes {
  sampleMs?: number;
  dirtyRateMs?: number;
}

export interface Rig {
  hv: Hypervisor;
  hosts: HostConfig[];
  store: ServiceStore;
  storePath: string;
  /** Inventory of the lab, restricted to the named VMs when `only` is given. */
  collect(only?: string[], o?: number | CollectTimes): Promise<Inventory>;
  /** A plan lifecycle whose re-planning sees only the VMs named in `only` (others are left alone). */
  orchestrator(o?: {
    only?: string[];
    executor?: ExecutorOptionsInput;
    timeoutPerGiBSeconds?: number;
    migrationBandwidthMiBps?: number;
  }): PlanLifecycle;
  /** Plans draining the host of the named VMs, moving only them. */
  planFor(
    names: string[],
    o?: {
      avoidHosts?: string[];
      timeoutPerGiBSeconds?: number;
      migrationBandwidthMiBps?: number;
      dirtyRateMs?: number;
    },
  ): Promise<Plan>;
  close(): Promise<void>;
}

export function openRig(lab: Lab, storePath = join(mkdtempSync(join(tmpdir(), 'rb-e2e-')), 'store.sqlite')): Rig {
  const hosts = labHosts(lab);
  const hv = createLibvirtHypervisor({ hosts });
  const store = openStore(storePath);
  const collect = async (only?: string[], o: number | CollectTimes = {}) => {
    const { sampleMs = 0, dirtyRateMs = 0 } = typeof o === 'number' ? { sampleMs: o } : o;
    const inv = await collectInventory({ hypervisor: hv, hosts, serverGroups: LAB_GROUPS, sampleMs, dirtyRateMs });
    return only ? { ...inv, instances: inv.instances.filter((i) => only.includes(i.name)) } : inv;
  };
  return {
    hv,
    hosts,
    store,
    storePath,
    collect,
    orchestrator: (o = {}) =>
      createPlanLifecycle({
        cluster: { hypervisor: hv, hosts },
        store,
        clock: systemClock,
        collect: () => collect(o.only),
        settings: {
          planner: { timeoutPerGiBSeconds: o.timeoutPerGiBSeconds, migrationBandwidthMiBps: o.migrationBandwidthMiBps },
          cooldownHours: 24,
        },
        executorOptions: { pollIntervalMs: 500, retries: { backoffMs: 500 }, ...o.executor },
      }),
    async planFor(names, o = {}) {
      const inv = await collect(names, { dirtyRateMs: o.dirtyRateMs });
      const from = [...new Set(inv.instances.map((i) => i.host))];
      const lifecycle = this.orchestrator({
        timeoutPerGiBSeconds: o.timeoutPerGiBSeconds,
        migrationBandwidthMiBps: o.migrationBandwidthMiBps,
      });
      const request = { goal: 'drain' as const, hosts: from, source: 'cli' as const };
      return (await lifecycle.plan(inv, request, { avoidHosts: o.avoidHosts })).plan;
    },
    async close() {
      await store.close();
      await hv.close();
    },
  };
}

export async function locate(rig: Rig, vm: { uuid: string }): Promise<DomainLocation> {
  return rig.hv.locate(
    vm.uuid,
    rig.hosts.map((h) => h.name),
  );
}

/** Incoming migrations each lab host's QEMU logs recorded for `vm` (one `-incoming` start each). */
export function incomingMigrations(lab: Lab, vm: string): number {
  let n = 0;
  for (const h of readdirSync(join(lab.dir, 'hosts'))) {
    const log = join(lab.dir, 'hosts', h, 'log', 'qemu', `${vm}.log`);
    if (existsSync(log))
      n += readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('-incoming')).length;
  }
  return n;
}

export async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
