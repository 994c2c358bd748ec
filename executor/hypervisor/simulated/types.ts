/** Descriptions of simulated hosts and domains. Units follow the inventory format (Mbit/s, MiB, GB). */
import type { DiskFacts, DomainState } from '../types.js';

export interface SimHostSpec {
  name: string;
  cpus: number;
  memoryMb: number;
  diskGb: number;
  /** @default 'QEMU' */
  hypervisorType?: string;
  /** @default 8002000 */
  hypervisorVersion?: number;
  /** @default 'Skylake-Server' */
  cpuModel?: string;
  /** Migration NIC bandwidth, each direction (full duplex), Mbit/s. @default 10000 */
  nicMbps?: number;
  /** Host CPU busy time not caused by its domains, in CPUs (0.5 = half a core). @default 0 */
  baseCpuLoad?: number;
  /** Starts unreachable (a host that is down). @default false */
  down?: boolean;
}

export interface SimDomainSpec {
  /** Domain UUID (the instance id). */
  id: string;
  name?: string;
  host: string;
  /** @default 'running' */
  state?: Exclude<DomainState, 'other'>;
  vcpus: number;
  memoryMb: number;
  /** @default one 20 GB disk on shared storage */
  disks?: DiskFacts[];
  configDrive?: boolean;
  cdrom?: boolean;
  /** @default 'host-model' */
  cpuMode?: 'host-model' | 'host-passthrough' | 'custom';
  cpuModel?: string | null;
  serverGroup?: string | null;
  pinned?: boolean;
  /** Fraction of its vCPUs the guest keeps busy (drives CPU time). @default 0 */
  cpuUsage?: number;
  /** Rate at which the guest dirties memory, Mbit/s. @default 0 */
  dirtyRateMbps?: number;
}

/** Tuning of the simulated migration model. */
export interface SimModelOptions {
  /** Connection and destination set-up before any data moves, ms. @default 1000 */
  setupMs?: number;
  /** Maximum downtime when the request does not give one, ms (Nova's default). @default 500 */
  defaultMaxDowntimeMs?: number;
  /** Time to restart a cold-migrated domain definition on the destination, ms. @default 0 */
  coldExtraMs?: number;
}

/** Bytes per second for a rate in Mbit/s. */
export const mbpsToBps = (mbps: number): number => (mbps * 1e6) / 8;
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
