/** Hosts and domains of the simulated cluster, with CPU time accounting. */
import { type DomainFacts, type HostFacts, unreachableHostFacts } from '../types.js';
import { HypervisorError } from '../errors.js';
import type { SimDomainSpec, SimHostSpec } from './types.js';

export interface SimHost {
  spec: Required<Omit<SimHostSpec, 'down'>>;
  reachable: boolean;
  /** Multiplier on NIC bandwidth (slow host), 0..1. */
  speed: number;
  /** CPU time used so far (base load and the domains running here), derived on read. */
  readonly cpuNs: number;
}

export interface SimDomain {
  facts: Omit<DomainFacts, 'state' | 'cpuTimeNs'>;
  host: string;
  state: 'running' | 'paused' | 'shutoff';
  cpuUsage: number;
  dirtyRateMbps: number;
  /** CPU time used so far, derived on read. */
  readonly cpuNs: number;
  /** Set while a post-copy migration runs: the guest already runs here. */
  postCopyTo: string | null;
}

/**
 * Hosts and domains indexed so that a call about one host costs what is on that host: each host
 * knows the domains defined on it, and CPU time is accounted lazily from per-host and per-domain
 * rates that change only when a domain changes (state, placement, usage). Domains are objects
 * whose placement fields are accessors keeping both up to date, whoever assigns them.
 */
export function createState(hosts: SimHostSpec[], domains: SimDomainSpec[], now: number) {
  let cpuAt = now;
  const hostMap = new Map<string, SimHost>();
  const hostCpu = new Map<string, { rate: number; ns: number; at: number }>();
  const definedOn = new Map<string, Set<SimDomain>>();
  for (const h of hosts) {
    const spec = {
      hypervisorType: 'QEMU',
      hypervisorVersion: 8002000,
      cpuModel: 'Skylake-Server',
      nicMbps: 10_000,
      baseCpuLoad: 0,
      ...h,
    } as SimHost['spec'];
    const cpu = { rate: spec.baseCpuLoad, ns: 0, at: now };
    hostCpu.set(h.name, cpu);
    definedOn.set(h.name, new Set());
    hostMap.set(h.name, {
      spec,
      reachable: !h.down,
      speed: 1,
      get cpuNs() {
        return cpu.ns + cpu.rate * (cpuAt - cpu.at) * 1e6;
      },
    });
  }
  const settleHost = (name: string) => {
    const c = hostCpu.get(name);
    if (c) [c.ns, c.at] = [c.ns + c.rate * (cpuAt - c.at) * 1e6, cpuAt];
    return c;
  };
  const rateOf = (d: SimDomain): number => (d.state === 'running' ? d.facts.vcpus * d.cpuUsage : 0);
  const placeHosts = (d: SimDomain): string[] => (d.postCopyTo ? [d.host, d.postCopyTo] : [d.host]);
  /** Adds (sign 1) or removes (-1) a domain from its hosts' index and CPU rate. */
  const link = (d: SimDomain, sign: 1 | -1) => {
    for (const h of placeHosts(d)) {
      if (sign > 0) definedOn.get(h)?.add(d);
      else definedOn.get(h)?.delete(d);
    }
    const r = rateOf(d);
    const c = r ? settleHost(d.postCopyTo ?? d.host) : undefined;
    if (c) c.rate += sign * r;
  };

  const domainMap = new Map<string, SimDomain>();
  const order = new Map<SimDomain, number>();
  for (const spec of domains) {
    if (!hostMap.has(spec.host)) throw new RangeError(`domain ${spec.id} is on unknown host "${spec.host}"`);
    const d = makeDomain(spec, () => cpuAt, link, rateOf);
    order.set(d, order.size);
    domainMap.set(spec.id, d);
    link(d, 1);
  }

  /** CPU time is derived from rates on read; this only moves the accounting time forward. */
  const accountCpu = (t: number) => {
    cpuAt = Math.max(cpuAt, t);
  };

  /** Domains defined on `host`, in creation order. */
  const domainsOn = (host: string): SimDomain[] =>
    [...(definedOn.get(host) ?? [])].sort((a, b) => order.get(a)! - order.get(b)!);

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
    if (!h.reachable) return unreachableHostFacts(name, h.spec);
    let used = 0;
    for (const d of definedOn.get(name) ?? [])
      if (d.state !== 'shutoff' && (d.postCopyTo ?? d.host) === name) used += d.facts.memoryMb;
    return {
      name,
      reachable: true,
      cpus: h.spec.cpus,
      memoryMb: h.spec.memoryMb,
      freeMemoryMb: h.spec.memoryMb - used,
      diskGb: h.spec.diskGb,
      hypervisorType: h.spec.hypervisorType,
      hypervisorVersion: h.spec.hypervisorVersion,
      cpuModel: h.spec.cpuModel,
      cpuTimeNs: Math.round(h.cpuNs),
    };
  };

  const domainFacts = (d: SimDomain, on: string): DomainFacts => ({
    ...d.facts,
    state: d.postCopyTo && on === d.host ? 'paused' : d.state,
    cpuTimeNs: Math.round(d.cpuNs),
  });

  return {
    hosts: hostMap,
    domains: domainMap,
    accountCpu,
    host,
    reachable,
    placeOf,
    hostFacts,
    domainFacts,
    domainsOn,
  };
}

/**
 * A domain whose `host`, `postCopyTo`, `state` and `cpuUsage` are accessors: a change settles its
 * CPU time so far and moves it in the host index and CPU rates (`link`).
 */
function makeDomain(
  spec: SimDomainSpec,
  cpuAt: () => number,
  link: (d: SimDomain, sign: 1 | -1) => void,
  rateOf: (d: SimDomain) => number,
): SimDomain {
  let host = spec.host;
  let postCopyTo: string | null = null;
  let state: SimDomain['state'] = spec.state ?? 'running';
  let cpuUsage = spec.cpuUsage ?? 0;
  let cpuBase = 0;
  let since = cpuAt();
  const change = (apply: () => void) => {
    [cpuBase, since] = [d.cpuNs, cpuAt()];
    link(d, -1);
    apply();
    link(d, 1);
  };
  const d: SimDomain = {
    facts: {
      id: spec.id,
      name: spec.name ?? spec.id,
      vcpus: spec.vcpus,
      memoryMb: spec.memoryMb,
      disks: spec.disks ?? [
        {
          target: 'vda',
          source: `/var/lib/libvirt/images/${spec.id}.qcow2`,
          storage: 'shared',
          device: 'disk',
          readonly: false,
          sizeGb: 20,
        },
      ],
      configDrive: spec.configDrive ?? false,
      cdrom: spec.cdrom ?? false,
      cpuMode: spec.cpuMode ?? 'host-model',
      cpuModel: spec.cpuModel ?? null,
      serverGroup: spec.serverGroup ?? null,
      pinned: spec.pinned ?? false,
    },
    dirtyRateMbps: spec.dirtyRateMbps ?? 0,
    get host() {
      return host;
    },
    set host(v) {
      change(() => (host = v));
    },
    get postCopyTo() {
      return postCopyTo;
    },
    set postCopyTo(v) {
      change(() => (postCopyTo = v));
    },
    get state() {
      return state;
    },
    set state(v) {
      change(() => (state = v));
    },
    get cpuUsage() {
      return cpuUsage;
    },
    set cpuUsage(v) {
      change(() => (cpuUsage = v));
    },
    get cpuNs() {
      return cpuBase + rateOf(d) * (cpuAt() - since) * 1e6;
    },
  };
  return d;
}

export type SimState = ReturnType<typeof createState>;
