/**
 * The Hypervisor interface: everything the executor and the inventory collector need from a
 * cluster. Implemented by the libvirt driver (real hosts) and the simulated cluster (demo, tests
 * of executor logic at scale). Every call takes an AbortSignal.
 */

/** Static per-host settings from configuration (`hypervisors: [...]`). */
export interface HostConfig {
  name: string;
  /** libvirt connection URI used by this service, e.g. `qemu+tls://hostb.example/system`. */
  uri: string;
  /** URI the source libvirtd uses to reach this host for peer-to-peer migration. @default uri */
  migrationUri?: string;
  cell: string;
  zone?: string;
  enabled?: boolean;
  cpuAllocationRatio?: number;
  ramAllocationRatio?: number;
  diskAllocationRatio?: number;
  reservedVcpus?: number;
  reservedMemoryMb?: number;
  reservedDiskGb?: number;
  /**
   * Operator override that only narrows: when set, a custom or host-model guest may come here only
   * if its CPU model (its own, or its host's for host-model) is this host's or listed, besides
   * the hypervisor accepting its CPU. Also the model list of host-passthrough's rule and of hosts
   * that cannot compare CPUs.
   */
  compatibleCpuModels?: string[];
  migrationBandwidthMbps?: number;
}

/** Facts read from a host's hypervisor. */
export interface HostFacts {
  name: string;
  /** False when the host could not be reached (it is then reported `down`, not fatal). */
  reachable: boolean;
  cpus: number;
  memoryMb: number;
  freeMemoryMb: number;
  diskGb: number;
  hypervisorType: string;
  hypervisorVersion: number;
  cpuModel: string;
  /** Cumulative host CPU time across all CPUs in ns, for utilisation from two samples. */
  cpuTimeNs: number | null;
  /** libvirt's own version (major * 1,000,000 + minor * 1,000 + release), when the driver knows it. */
  libvirtVersion?: number;
}

/**
 * Facts of a host that could not be reached: no capacity, so it is reported `down` and never a target.
 * `known` keeps what the caller still knows about it (its hypervisor type, its CPU model).
 */
export function unreachableHostFacts(
  name: string,
  known: { hypervisorType: string; cpuModel: string } = { hypervisorType: 'unknown', cpuModel: 'unknown' },
): HostFacts {
  return {
    name,
    reachable: false,
    cpus: 0,
    memoryMb: 0,
    freeMemoryMb: 0,
    diskGb: 0,
    hypervisorType: known.hypervisorType,
    hypervisorVersion: 0,
    cpuModel: known.cpuModel,
    cpuTimeNs: null,
  };
}

/** A guest CPU definition as a hypervisor compares it: a custom model with features, or host-model expanded. */
export interface GuestCpu {
  /** The libvirt `<cpu mode='custom'>` element. */
  xml: string;
  /** The domain's virt type (`kvm`, `qemu`), which decides what the destination can provide. */
  virtType: string;
  arch: string | null;
}

/** A hypervisor's answer to "can you run this guest CPU?"; `reason` says why not. */
export interface CpuVerdict {
  compatible: boolean;
  reason: string | null;
}

export type DomainState = 'running' | 'paused' | 'shutoff' | 'other';

export interface DiskFacts {
  target: string;
  source: string | null;
  /** `local`: file on the host's own storage; `shared`: on storage both hosts see; `volume`: network block device. */
  storage: 'shared' | 'local' | 'volume';
  device: 'disk' | 'cdrom' | 'floppy';
  readonly: boolean;
  sizeGb: number;
}

export interface DomainFacts {
  /** Domain UUID: the instance id. */
  id: string;
  name: string;
  state: DomainState;
  vcpus: number;
  memoryMb: number;
  disks: DiskFacts[];
  configDrive: boolean;
  cdrom: boolean;
  cpuMode: 'host-model' | 'host-passthrough' | 'custom';
  cpuModel: string | null;
  /** Cumulative guest CPU time in ns. */
  cpuTimeNs: number;
  /** Optional metadata (server group, pinned) read from the domain's metadata element. */
  serverGroup?: string | null;
  pinned?: boolean;
  /** The guest CPU to compare on other hosts; absent for host-passthrough and when unknown. */
  guestCpu?: GuestCpu | null;
  /** The domain's virt type (`kvm`, `qemu`), when the driver reports it. */
  virtType?: string;
}

export interface MigrationRequest {
  domainId: string;
  domainName: string;
  from: string;
  to: string;
  mode: 'live' | 'block' | 'cold';
  /** Bandwidth cap in MiB/s; 0 or absent = unlimited. */
  bandwidthMiBps?: number;
  autoConverge?: boolean;
  /** Allow switching to post-copy later (VIR_MIGRATE_POSTCOPY). */
  postCopy?: boolean;
  /** Maximum tolerated downtime in ms. */
  maxDowntimeMs?: number;
}

export interface JobProgress {
  /** `none` when no job runs on the domain. */
  type: 'none' | 'bounded' | 'unbounded' | 'completed' | 'failed' | 'cancelled';
  elapsedMs: number;
  dataTotal: number;
  dataProcessed: number;
  dataRemaining: number;
  memDirtyRateBps?: number;
  downtimeMs?: number;
  postCopy?: boolean;
}

/** Where a domain is, as the hypervisors see it right now. */
export interface DomainLocation {
  /** Hosts on which the domain is defined and active. */
  runningOn: string[];
  /** Hosts on which the domain is defined (active or not). */
  definedOn: string[];
}

export interface Hypervisor {
  readonly kind: 'libvirt' | 'simulated';
  hostFacts(host: string, signal?: AbortSignal): Promise<HostFacts>;
  listDomains(host: string, signal?: AbortSignal): Promise<DomainFacts[]>;
  /**
   * Starts a migration and resolves when it completed, rejects with a MigrationError when it
   * failed or was aborted. Aborting `signal` only stops waiting: to stop the migration itself
   * call `abortJob`.
   */
  migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void>;
  /** Progress of the job running on `domainId` at `host` (the source), `none` when idle. */
  jobProgress(host: string, domainId: string, signal?: AbortSignal): Promise<JobProgress>;
  /** Aborts the job running on the domain (virDomainAbortJob). */
  abortJob(host: string, domainId: string, signal?: AbortSignal): Promise<void>;
  /** Changes the bandwidth cap of a running migration (virDomainMigrateSetMaxSpeed), MiB/s. */
  setMaxSpeed(host: string, domainId: string, mibps: number, signal?: AbortSignal): Promise<void>;
  /** Switches a running migration to post-copy (virDomainMigrateStartPostCopy). */
  startPostCopy(host: string, domainId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Starts measuring how fast the domains `domainIds` at `host` write their memory, over `seconds`
   * (virDomainStartDirtyRateCalc). Domains not running there or with a job (a migration) running
   * are skipped. Resolves to the ids being measured.
   */
  startDirtyRateCalc(host: string, domainIds: string[], seconds: number, signal?: AbortSignal): Promise<string[]>;
  /**
   * The finished dirty-rate measurements of `domainIds` at `host`, MiB/s by domain id, waiting up
   * to about 2 s for ones still running; domains without a finished measurement are absent.
   */
  dirtyRates(host: string, domainIds: string[], signal?: AbortSignal): Promise<Map<string, number>>;
  /** Pauses / resumes a domain (force-complete without post-copy). */
  suspend(host: string, domainId: string, signal?: AbortSignal): Promise<void>;
  resume(host: string, domainId: string, signal?: AbortSignal): Promise<void>;
  /**
   * Asks `host`'s hypervisor whether it can run the guest CPU (virConnectCompareHypervisorCPU,
   * else virConnectCompareCPU). Optional: without it the inventory's model-name rule applies.
   */
  compareCpu?(host: string, cpu: GuestCpu, signal?: AbortSignal): Promise<CpuVerdict>;
  /** Asks the given hosts where the domain is defined and running. */
  locate(domainId: string, hosts: string[], signal?: AbortSignal): Promise<DomainLocation>;
  close(): Promise<void>;
}
