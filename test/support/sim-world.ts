/**
 * The small simulated world of the lifecycle and campaign tests: hosts of one cell `c1`, instances
 * `vm<k>`, the inventory running on a simulated cluster with a virtual clock, its collector, and a
 * plan lifecycle executing on it over a real SQLite store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import { parseInventory, type Inventory } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { createPlanLifecycle, type PlanLifecycleDeps } from '../../src/orchestrate/lifecycle.js';
import type { ServiceStore } from '../../src/store/port.js';

/** Host `name` of cell c1: 32 vCPU, 64 GiB, 1 TB. */
export const simHost = (name: string) => ({
  name,
  cell: 'c1',
  vcpus: 32,
  memoryMb: 65536,
  diskGb: 1000,
  hypervisorType: 'QEMU',
  hypervisorVersion: 8002000,
  cpuModel: 'Skylake-Server',
});

/** Instance `k` (`vm<k>`, the UUID ending in k) running on `host`: 2 vCPU, 20 GB of disk, `memoryMb`. */
export const simVm = (k: number, host: string, memoryMb: number) => ({
  id: `00000000-0000-4000-8000-0000000000${String(k).padStart(2, '0')}`,
  name: `vm${k}`,
  host,
  status: 'ACTIVE',
  vcpus: 2,
  memoryMb,
  diskGb: 20,
});

/** The inventory of the hosts named and `instances`; a fixture the parser refuses throws. */
export function simInventory(hosts: string[], instances: ReturnType<typeof simVm>[]): Inventory {
  const parsed = parseInventory({ hosts: hosts.map(simHost), instances });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.inventory;
}

/**
 * `inventory` running on a simulated cluster (100 ms migration set-up) with a virtual clock that
 * advances by itself, and its collector (no CPU sampling; dirty rates measured for `dirtyRateMs`).
 */
export function simCluster(inventory: Inventory, options: { dirtyRateMs?: number } = {}) {
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock, setupMs: 100 });
  const dirtyRateMs = options.dirtyRateMs ?? 0;
  const collect = (): Promise<Inventory> =>
    collectInventory({ hypervisor: cluster, hosts, clock, sampleMs: 0, dirtyRateMs });
  return { inventory, clock, cluster, hosts, collect };
}

/** A new SQLite store file's path, in a temporary directory of its own. */
export const tempStorePath = (prefix: string): string => join(mkdtempSync(join(tmpdir(), prefix)), 's.sqlite');

/** The plan lifecycle executing on `sim` over `store`: default planner, 24 h cool-down; `deps` adds or replaces. */
export function simLifecycle(
  sim: ReturnType<typeof simCluster>,
  store: ServiceStore,
  deps: Partial<PlanLifecycleDeps> = {},
) {
  return createPlanLifecycle({
    cluster: { hypervisor: sim.cluster, hosts: sim.hosts },
    store,
    clock: sim.clock,
    collect: sim.collect,
    settings: { planner: {}, cooldownHours: 24 },
    ...deps,
  });
}
