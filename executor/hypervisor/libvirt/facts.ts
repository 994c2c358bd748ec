/** Host and domain facts read over one libvirt connection. */
import { type DomainFacts, type DomainState, type HostFacts, unreachableHostFacts } from '../types.js';
import type { LvConnection, LvDomain } from './binding.js';
import { parseDomainXml, parseHostCpuModel, type ParseOptions } from './domain-xml.js';

const GIB = 1024 ** 3;

/** "7.2.22" -> 7002022 (libvirt's major * 1,000,000 + minor * 1,000 + release). */
export function versionNumber(v: string): number {
  const [major = 0, minor = 0, release = 0] = v.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return major * 1_000_000 + minor * 1_000 + release;
}

/** Capacity of the first existing storage pool among `pools`, in GiB (0 when none exists). */
async function poolCapacityGb(conn: LvConnection, pools: string[]): Promise<number> {
  for (const name of pools) {
    try {
      const pool = await conn.lookupStoragePoolByNameAsync(name);
      const info = await pool.getInfoAsync();
      return Math.round((info.capacity / GIB) * 10) / 10;
    } catch {
      // not defined on this host: try the next name
    }
  }
  return 0;
}

export async function readHostFacts(conn: LvConnection, name: string, pools: string[]): Promise<HostFacts> {
  const [node, free, caps, type, version, cpuStats, diskGb, libvirtVersion] = await Promise.all([
    conn.getNodeInfoAsync(),
    conn.getNodeFreeMemoryAsync(),
    conn.getCapabilitiesAsync(),
    conn.getTypeAsync(),
    conn.getVersionAsync(),
    conn.getNodeCpuStatsAsync().catch(() => null),
    poolCapacityGb(conn, pools),
    conn.getLibVirtVersionAsync().catch(() => null),
  ]);
  return {
    name,
    reachable: true,
    cpus: node.cpus,
    memoryMb: Math.floor(node.memory / 1024),
    freeMemoryMb: Math.floor(free / 1024 / 1024),
    diskGb,
    hypervisorType: type,
    hypervisorVersion: versionNumber(version),
    cpuModel: parseHostCpuModel(caps),
    // busy time: everything but idle and iowait
    cpuTimeNs: cpuStats && typeof cpuStats.kernel === 'number' ? cpuStats.kernel + (cpuStats.user ?? 0) : null,
    ...(libvirtVersion ? { libvirtVersion: versionNumber(libvirtVersion) } : {}),
  };
}

export function unreachableHost(name: string): HostFacts {
  return unreachableHostFacts(name, { hypervisorType: 'QEMU', cpuModel: 'unknown' });
}

function domainState(s: string): DomainState {
  if (s === 'running' || s === 'idle' || s === 'in shutdown') return 'running';
  if (s === 'paused') return 'paused';
  if (s === 'shut off' || s === 'crashed') return 'shutoff';
  return 'other';
}

export async function readDomainFacts(dom: LvDomain, options: ParseOptions): Promise<DomainFacts> {
  const [xml, info] = await Promise.all([dom.toXmlAsync(0), dom.getInfoAsync()]);
  const facts = parseDomainXml(xml, options);
  const disks = await Promise.all(
    facts.disks.map(async (d) => {
      if (!d.source) return d;
      const block = await dom.getBlockInfoAsync(d.target).catch(() => null);
      return block ? { ...d, sizeGb: Math.round((block.capacity / GIB) * 1000) / 1000 } : d;
    }),
  );
  return { ...facts, disks, state: domainState(info.state), cpuTimeNs: info.cpuTime };
}

/** Every domain (active and defined) on the connection; ones that vanish meanwhile are left out. */
export async function listAllDomains(conn: LvConnection): Promise<LvDomain[]> {
  const [ids, names] = await Promise.all([conn.listActiveDomainsAsync(), conn.listDefinedDomainsAsync()]);
  const found = await Promise.all([
    ...ids.map((id) => conn.lookupDomainByIdAsync(id).catch(() => null)),
    ...names.map((n) => conn.lookupDomainByNameAsync(n).catch(() => null)),
  ]);
  return found.filter((d): d is LvDomain => d !== null);
}
