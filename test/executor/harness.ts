/** A simulated cluster, a virtual clock, a real SQLite file and an executor, for executor tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock, type VirtualClock } from '../../executor/clock.js';
import { createExecutor, type Executor, type ExecutorDeps } from '../../executor/index.js';
import {
  createSimulatedCluster,
  type SimDomainSpec,
  type SimHostSpec,
  type SimulatedCluster,
} from '../../executor/hypervisor/simulated/index.js';
import type { ServiceStore } from '../../src/store/port.js';
import type { Move } from '../../planner/index.js';
import { mv, planOf } from '../support/plans.js';

export { mv, planOf };
import { openStore } from '../../src/store/sqlite.js';

export interface Harness {
  clock: VirtualClock;
  sim: SimulatedCluster;
  store: ServiceStore;
  path: string;
  executor: Executor;
  /** Stores a plan made of `moves` and returns its id. */
  addPlan(moves: Move[], feasible?: boolean): Promise<string>;
  /** A new executor on a reopened store (same file), as after a restart. */
  restart(deps?: Partial<ExecutorDeps>): Executor;
  cleanup(): Promise<void>;
}

export function hosts(names: string[], over: Partial<SimHostSpec> = {}): SimHostSpec[] {
  return names.map((name) => ({ name, cpus: 64, memoryMb: 512 * 1024, diskGb: 4000, ...over }));
}

export function vms(n: number, host: string, over: Partial<SimDomainSpec> = {}, prefix = 'vm'): SimDomainSpec[] {
  return Array.from({ length: n }, (_, k) => ({
    id: `${prefix}${k}`,
    name: `${prefix}${k}`,
    host,
    vcpus: 2,
    memoryMb: 4096,
    ...over,
  }));
}

type HarnessOptions = Omit<Partial<ExecutorDeps>, 'hosts'> & {
  hosts: SimHostSpec[];
  domains: SimDomainSpec[];
  setupMs?: number;
  /** Host configs for the pre-check. */
  hostConfigs?: ExecutorDeps['hosts'];
  /** Store durability; `normal` for tests with hundreds of moves on slow disks. @default 'full' */
  durability?: 'full' | 'normal';
};

export function createHarness(o: HarnessOptions): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-exec-'));
  const path = join(dir, 'state.db');
  const clock = createVirtualClock({ autoAdvance: true, start: 1_700_000_000_000 });
  const sim = createSimulatedCluster({ clock, hosts: o.hosts, domains: o.domains, setupMs: o.setupMs ?? 1000 });
  const stores: ServiceStore[] = [openStore(path, { durability: o.durability })];
  const { hosts: _h, domains: _d, setupMs: _s, hostConfigs, durability, ...rest } = o;
  const deps = (store: ServiceStore, extra: Partial<ExecutorDeps> = {}): ExecutorDeps => ({
    hypervisor: sim,
    store,
    clock,
    hosts: hostConfigs,
    ...rest,
    ...extra,
  });
  const h: Harness = {
    clock,
    sim,
    store: stores[0],
    path,
    executor: createExecutor(deps(stores[0])),
    addPlan: async (moves, feasible = true) =>
      (await h.store.createPlan({ plan: planOf(moves, feasible), source: 'cli', at: clock.now() })).id,
    restart(extra) {
      const store = openStore(path, { durability });
      stores.push(store);
      h.store = store;
      h.executor = createExecutor(deps(store, { hooks: undefined, ...extra }));
      return h.executor;
    },
    async cleanup() {
      clock.stop();
      for (const s of stores) await s.close().catch(() => undefined); // closed already
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Replays admission events and returns the peak global / per-source / per-destination counts. */
export async function peakConcurrency(store: ServiceStore): Promise<{ global: number; out: number; in: number }> {
  let total = 0;
  const peak = { global: 0, out: 0, in: 0 };
  const out = new Map<string, number>();
  const inb = new Map<string, number>();
  for (const e of await store.listEvents()) {
    if (e.type !== 'move.admitted' && e.type !== 'move.released') continue;
    const { from, to } = e.data as { from: string; to: string };
    const d = e.type === 'move.admitted' ? 1 : -1;
    total += d;
    out.set(from, (out.get(from) ?? 0) + d);
    inb.set(to, (inb.get(to) ?? 0) + d);
    if (total < 0 || out.get(from)! < 0 || inb.get(to)! < 0)
      throw new Error(`release without admission at event ${e.id}`);
    peak.global = Math.max(peak.global, total);
    peak.out = Math.max(peak.out, out.get(from)!);
    peak.in = Math.max(peak.in, inb.get(to)!);
  }
  return peak;
}
