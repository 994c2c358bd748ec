/** Hosts and domains of the simulated cluster, with CPU time accounting. */
import type { DomainFacts, HostFacts } from '../types.js';
import { HypervisorError } from '../errors.js';
import type { SimDomainSpec, SimHostSpec } from './types.js';

export interface SimHost {
  spec: Required<Omit<SimHostSpec, 'down'>>;
  reachable: boolean;
  /** Multiplier on NIC bandwidth (slow host), 0..1. */
  speed: number;
  cpuNs: number;
}

export interface SimDomain {
  facts: Omit<DomainFacts, 'state' | 'cpuTimeNs'>;
  host: string;
  state: 'running' | 'paused' | 'shutoff';
  cpuUsage: number;
  dirtyRateMbps: number;
  cpuNs: number;
  /** Set while a post-copy migration runs: the guest already runs here. */
  postCopyTo: string | null;
}

export function createState(hosts: SimHostSpec[], domains: SimDomainSpec[], now: number) {
  const hostMap = new Map<string, SimHost>();
  for (const h of hosts) {
    hostMap.set(h.name, {
      spec: {
        hypervisorType: 'QEMU', hypervisorVersion: 8002000, cpuModel: 'Skylake-Server', nicMbps: 10_000, baseCpuLoad: 0,
        ...h,
      } as SimHost['spec'],
      reachable: !h.down,
      speed: 1,
      cpuNs: 0,
    });
  }
  const domainMap = new Map<string, SimDomain>();
  for (const d of domains) {
    if (!hostMap.has(d.host)) throw new RangeError(`domain ${d.id} is on unknown host "${d.host}"`);
    domainMap.set(d.id, {
      facts: {
        id: d.id, name: d.name ?? d.id, vcpus: d.vcpus, memoryMb: d.memoryMb,
        disks: d.disks ?? [{ target: 'vda', source: `/var/lib/libvirt/images/${d.id}.qcow2`, storage: 'shared', device: 'disk', readonly: false, sizeGb: 20 }],
        configDrive: d.configDrive ?? false, cdrom: d.cdrom ?? false, cpuMode: d.cpuMode ?? 'host-model',
        cpuModel: d.cpuModel ?? null, serverGroup: d.serverGroup ?? null, pinned: d.pinned ?? false,
      },
      host: d.host, state: d.state ?? 'running', cpuUsage: d.cpuUsage ?? 0, dirtyRateMbps: d.dirtyRateMbps ?? 0, cpuNs: 0, postCopyTo: null,
    });
  }
  let cpuAt = now;

  /** Accumulates CPU time up to `t`; call before anything that changes who runs where. */
  const accountCpu = (t: number) => {
    const dtNs = Math.max(0, t - cpuAt) * 1e6;
    cpuAt = Math.max(cpuAt, t);
    for (const h of hostMap.values()) h.cpuNs += h.spec.baseCpuLoad * dtNs;
    for (const d of domainMap.values()) {
      if (d.state !== 'running') continue;
      const ns = d.facts.vcpus * d.cpuUsage * dtNs;
      d.cpuNs += ns;
      const h = hostMap.get(d.postCopyTo ?? d.host);
      if (h) h.cpuNs += ns;
    }
  };

  const host = (name: string): SimHost => {
    const h = hostMap.get(name);
    if (!h) throw new HypervisorError('NOT_FOUND', `unknown host "${name}"`, false);
    return h;
  };
  const reachable = (name: string): SimHost => {
    const h = host(name);
    if (!h.reachable) throw new HypervisorError('HOST_UNREACHABLE', `host ${name} is unreachable`, true);
    return h;
  };

  /** Where a domain runs and where it is defined, as hosts would report it. */
  const placeOf = (d: SimDomain) => ({
    runningOn: d.state === 'shutoff' ? [] : [d.postCopyTo ?? d.host],
    definedOn: d.postCopyTo ? [d.host, d.postCopyTo] : [d.host],
  });

  const hostFacts = (name: string): HostFacts => {
    const h = host(name);
    if (!h.reachable) {
      return { name, reachable: false, cpus: 0, memoryMb: 0, freeMemoryMb: 0, diskGb: 0, hypervisorType: h.spec.hypervisorType, hypervisorVersion: 0, cpuModel: h.spec.cpuModel, cpuTimeNs: null };
    }
    let used = 0;
    for (const d of domainMap.values()) if (d.state !== 'shutoff' && placeOf(d).runningOn.includes(name)) used += d.facts.memoryMb;
    return {
      name, reachable: true, cpus: h.spec.cpus, memoryMb: h.spec.memoryMb, freeMemoryMb: h.spec.memoryMb - used, diskGb: h.spec.diskGb,
      hypervisorType: h.spec.hypervisorType, hypervisorVersion: h.spec.hypervisorVersion, cpuModel: h.spec.cpuModel, cpuTimeNs: Math.round(h.cpuNs),
    };
  };

  const domainFacts = (d: SimDomain, on: string): DomainFacts => ({
    ...d.facts,
    state: d.postCopyTo && on === d.host ? 'paused' : d.state,
    cpuTimeNs: Math.round(d.cpuNs),
  });

  return { hosts: hostMap, domains: domainMap, accountCpu, host, reachable, placeOf, hostFacts, domainFacts };
}

export type SimState = ReturnType<typeof createState>;
