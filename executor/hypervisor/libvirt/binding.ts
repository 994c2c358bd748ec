/**
 * Lazy loading of the patched node-libvirt binding (npm `libvirt` 1.2.1 + patches/node-libvirt),
 * the package packages/libvirt-binding, which `npm install` builds when libvirt's headers are
 * present. Installing the project needs no libvirt headers: without the build only the simulated
 * hypervisor is available.
 */
import { createRequire } from 'node:module';
import { HypervisorError } from '../errors.js';

export interface LvNodeInfo {
  model: string;
  /** KiB */
  memory: number;
  cpus: number;
  mhz: number;
}

export interface LvDomainInfo {
  state: string;
  /** KiB */
  maxMemory: number;
  memory: number;
  vcpus: number;
  /** ns */
  cpuTime: number;
}

/** The subset of node-libvirt's Domain used here (bluebird-promisified `...Async` methods). */
export interface LvDomain {
  getUUIDAsync(): Promise<string>;
  getNameAsync(): Promise<string>;
  isActiveAsync(): Promise<boolean>;
  getInfoAsync(): Promise<LvDomainInfo>;
  toXmlAsync(flags: number): Promise<string>;
  getBlockInfoAsync(path: string): Promise<{ capacity: number; allocation: number; physical: number }>;
  getJobStatsAsync(flags: number): Promise<Record<string, number | string | boolean>>;
  getJobInfoAsync(): Promise<{
    type: string;
    time: { elapsed: number };
    data: { total: number; processed: number; remaining: number };
  }>;
  abortCurrentJobAsync(): Promise<boolean>;
  migrateSetMaxSpeedAsync(mibps: number, flags: number): Promise<boolean>;
  migrateStartPostCopyAsync(flags: number): Promise<boolean>;
  migrateToURI3Async(
    dconnuri: string,
    params: Record<string, string | number | string[]>,
    flags: number,
  ): Promise<boolean>;
  setMigrationMaxDowntimeAsync(ms: number): Promise<boolean>;
  /** patches/node-libvirt/05 (virDomainStartDirtyRateCalc); absent in older builds. */
  startDirtyRateCalcAsync?(seconds: number, flags: number): Promise<boolean>;
  suspendAsync(): Promise<boolean>;
  resumeAsync(): Promise<boolean>;
  undefineAsync(flags: number): Promise<boolean>;
}

/** Typed parameters as the binding returns them: field name -> value. */
export type LvTypedParams = Record<string, number | string | boolean>;

/** The subset of node-libvirt's Hypervisor (one connection) used here. */
export interface LvConnection {
  connectAsync(): Promise<boolean>;
  disconnectAsync(): Promise<boolean>;
  getNodeInfoAsync(): Promise<LvNodeInfo>;
  /** bytes */
  getNodeFreeMemoryAsync(): Promise<number>;
  getNodeCpuStatsAsync(): Promise<Record<string, number>>;
  getCapabilitiesAsync(): Promise<string>;
  getTypeAsync(): Promise<string>;
  /** "major.minor.release" */
  getVersionAsync(): Promise<string>;
  /** "major.minor.release" of libvirt itself */
  getLibVirtVersionAsync(): Promise<string>;
  /** virCPUCompareResult: 0 incompatible, 1 identical, 2 superset (patch 04). */
  compareHypervisorCPUAsync?(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    xml: string,
    flags: number,
  ): Promise<number>;
  compareCPUFlagsAsync?(xml: string, flags: number): Promise<number>;
  getDomainCapabilitiesAsync?(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    flags: number,
  ): Promise<string>;
  /** virConnectGetAllDomainStats: typed statistics by domain name. */
  getAllDomainStatsAsync(stats: number, flags: number): Promise<Record<string, LvTypedParams>>;
  listActiveDomainsAsync(): Promise<number[]>;
  listDefinedDomainsAsync(): Promise<string[]>;
  lookupDomainByIdAsync(id: number): Promise<LvDomain>;
  lookupDomainByNameAsync(name: string): Promise<LvDomain>;
  lookupDomainByUUIDAsync(uuid: string): Promise<LvDomain>;
  defineDomainAsync(xml: string): Promise<LvDomain>;
  lookupStoragePoolByNameAsync(
    name: string,
  ): Promise<{ getInfoAsync(): Promise<{ capacity: number; allocation: number; available: number }> }>;
}

export interface LibvirtBinding {
  Hypervisor: new (uri: string) => LvConnection;
}

/** The package packages/libvirt-binding (an optional dependency, linked into node_modules). */
export const defaultBindingPath = 'libvirt-binding';
const REQUIRED = ['getJobStats', 'migrateSetMaxSpeed', 'migrateStartPostCopy', 'migrateToURI3'];

/**
 * Loads the binding from `path`, a package name or folder (default: env REBALANCER_LIBVIRT_BINDING,
 * else the project's package). Throws HypervisorError UNSUPPORTED, saying why and how to build
 * it, when it is missing or lacks the project's patches.
 */
export function loadBinding(path = process.env.REBALANCER_LIBVIRT_BINDING || defaultBindingPath): LibvirtBinding {
  const hint =
    'libvirt binding not available: install libvirt-dev and pkg-config (Debian), then run `npm run build:binding`';
  let mod: { Hypervisor: LibvirtBinding['Hypervisor']; Domain: { prototype: Record<string, unknown> } };
  try {
    mod = createRequire(import.meta.url)(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'MODULE_NOT_FOUND' && e.message.includes(`'${path}'`) ? `nothing at ${path}` : e.message;
    throw new HypervisorError('UNSUPPORTED', `${hint} (${why})`, false, { cause: err });
  }
  const missing = REQUIRED.filter((m) => typeof mod.Domain.prototype[m] !== 'function');
  if (missing.length > 0)
    throw new HypervisorError('UNSUPPORTED', `${hint} (the build at ${path} lacks ${missing.join(', ')})`, false);
  return mod;
}

/** Whether the libvirt driver can run here: null when the binding loads, else why it cannot. */
export function bindingProblem(path?: string): string | null {
  try {
    loadBinding(path);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The binding's asynchronous calls hand the raw virDomainPtr to a worker thread without keeping
 * the JavaScript wrapper alive, and the wrapper frees that pointer when it is garbage-collected:
 * a wrapper collected mid-call fails with "invalid domain pointer". Every call on a domain runs
 * under `pinned`, which holds the wrapper until the call settles.
 */
const pins = new Map<object, number>();

export async function pinned<T>(handle: object, fn: () => Promise<T>): Promise<T> {
  pins.set(handle, (pins.get(handle) ?? 0) + 1);
  try {
    return await fn();
  } finally {
    const left = (pins.get(handle) ?? 1) - 1;
    if (left > 0) pins.set(handle, left);
    else pins.delete(handle);
  }
}
