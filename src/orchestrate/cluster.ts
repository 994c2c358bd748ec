/**
 * The cluster the service works on: the configured libvirt hosts, or (none configured) the
 * seeded demo region on a simulated cluster whose time runs `demo.timeScale` times faster.
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';
import { createLibvirtHypervisor } from '../../executor/hypervisor/libvirt/index.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type { HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { ServerGroup } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { demoRegion } from '../demo/region.js';
import { scaledClock } from '../demo/clock.js';
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
export function openCluster(config: Config, log?: Logger): Cluster {
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
  const inventory = demoRegion({ seed: config.demo.seed, cells: config.demo.cells, size: config.demo.size });
  const clock = scaledClock(config.demo.timeScale);
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock });
  return { kind: 'demo', hypervisor: cluster, hosts, serverGroups: inventory.serverGroups, clock };
}
