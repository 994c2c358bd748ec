/** The simulated cluster: a Hypervisor for tests, benchmarks and the demo. */
export {
  createSimulatedCluster,
  type SimulatedCluster,
  type SimulatedClusterOptions,
  type MigrationRecord,
} from './cluster.js';
export {
  simulatedClusterFromInventory,
  hostConfigsFromInventory,
  simHostsFromInventory,
  simDomainsFromInventory,
} from './from-inventory.js';
export type { Faults, FailSpec } from './faults.js';
export type { SimDomainSpec, SimHostSpec, SimModelOptions } from './types.js';
