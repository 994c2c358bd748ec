/**
 * The cluster the service works on: the configured libvirt hosts, or (none configured) the
 * seeded demo region on a simulated cluster whose time runs `demo.timeScale` times faster, kept
 * next to the store across restarts (src/demo/world.ts), or in PostgreSQL for replicas
 * (src/demo/shared-world.ts).
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';
import { createLibvirtHypervisor } from '../../executor/hypervisor/libvirt/index.js';
import type { HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { ServerGroup } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { openDemoWorld } from '../demo/world.js';
import { openSharedDemoWorld, type SharedDemoWorld } from '../demo/shared-world.js';
import type { SqlRunner } from '../ha/lease.js';
import type { Logger } from '../log.js';

export interface Cluster {
  kind: 'libvirt' | 'demo';
  hypervisor: Hypervisor;
  hosts: HostConfig[];
  serverGroups: Array<ServerGroup & { members?: string[] }>;
  /** The clock migrations run on (scaled in the demo). */
  clock: Clock;
}

/** Opens the configured hypervisors, or the demo region when `hypervisors` is empty. */
export function openCluster(config: Config, log?: Logger, o: { readOnly?: boolean } = {}): Cluster {
  if (config.hypervisors.length > 0) {
    const hosts = config.hypervisors as HostConfig[];
    return {
      kind: 'libvirt',
      hypervisor: createLibvirtHypervisor({ hosts, log }),
      hosts,
      serverGroups: config.serverGroups,
      clock: systemClock,
    };
  }
  const world = openDemoWorld({
    region: { seed: config.demo.seed, cells: config.demo.cells, size: config.demo.size },
    timeScale: config.demo.timeScale,
    // next to an SQLite store; with PostgreSQL there is no file to keep it next to
    storePath: config.store.path ?? ':memory:',
    readOnly: o.readOnly,
    onWarning: (message) => log?.warn(message),
  });
  if (world.restored) log?.info({ store: config.store.path }, 'demo world continued from its saved state');
  const { cluster, hosts, inventory, clock } = world;
  return { kind: 'demo', hypervisor: cluster, hosts, serverGroups: inventory.serverGroups, clock };
}

/**
 * The demo region of replicas on one PostgreSQL store: the world in the database, shared by all
 * of them (src/demo/shared-world.ts); `mayWrite` confirms this replica leads before it writes.
 */
export async function openSharedDemoCluster(
  config: Config,
  o: { db: SqlRunner; mayWrite: () => Promise<boolean>; log?: Logger },
): Promise<Cluster & { world: SharedDemoWorld }> {
  const world = await openSharedDemoWorld({
    region: { seed: config.demo.seed, cells: config.demo.cells, size: config.demo.size },
    timeScale: config.demo.timeScale,
    db: o.db,
    mayWrite: o.mayWrite,
    onWarning: (message) => o.log?.warn(message),
  });
  if (world.restored) o.log?.info('demo world continued from the one stored in PostgreSQL');
  const { cluster, hosts, inventory, clock } = world;
  return { kind: 'demo', hypervisor: cluster, hosts, serverGroups: inventory.serverGroups, clock, world };
}
