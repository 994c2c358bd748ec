/** A hand-written Hypervisor for collector tests: fixed facts and domains per host, scripted failures. */
import type { DomainFacts, HostFacts, Hypervisor } from '../../executor/hypervisor/types.js';
import { HypervisorError } from '../../executor/hypervisor/errors.js';

export interface FakeHost {
  facts?: Partial<HostFacts>;
  domains?: DomainFacts[];
  /** `throw`: every call fails; `unreachable`: facts say reachable false; `hang`: never answers. */
  failure?: 'throw' | 'unreachable' | 'hang';
  /** Guest CPU ns added to every running domain per listDomains call (to measure utilisation). */
  cpuNsPerCall?: number;
}

export function domain(id: string, over: Partial<DomainFacts> = {}): DomainFacts {
  return {
    id,
    name: over.name ?? id,
    state: 'running',
    vcpus: 2,
    memoryMb: 2048,
    disks: [],
    configDrive: false,
    cdrom: false,
    cpuMode: 'host-model',
    cpuModel: null,
    cpuTimeNs: 0,
    ...over,
  };
}

export function fakeHypervisor(hosts: Record<string, FakeHost>): Hypervisor & { calls: string[] } {
  const calls: string[] = [];
  const get = (name: string): FakeHost => {
    const h = hosts[name];
    if (!h) throw new HypervisorError('NOT_FOUND', `no host ${name}`, false);
    if (h.failure === 'throw') throw new HypervisorError('HOST_UNREACHABLE', `connection refused: ${name}`, true);
    return h;
  };
  const never = () => new Promise<never>(() => {});
  const unsupported = async () => {
    throw new HypervisorError('UNSUPPORTED', 'fake', false);
  };
  return {
    kind: 'simulated',
    calls,
    async hostFacts(name) {
      calls.push(`hostFacts ${name}`);
      const h = get(name);
      if (h.failure === 'hang') return never();
      return {
        name,
        reachable: h.failure !== 'unreachable',
        cpus: 16,
        memoryMb: 65536,
        freeMemoryMb: 32768,
        diskGb: 500,
        hypervisorType: 'QEMU',
        hypervisorVersion: 7002000,
        cpuModel: 'Skylake-Server',
        cpuTimeNs: null,
        ...h.facts,
      };
    },
    async listDomains(name) {
      calls.push(`listDomains ${name}`);
      const h = get(name);
      for (const d of h.domains ?? []) if (d.state === 'running') d.cpuTimeNs += h.cpuNsPerCall ?? 0;
      return structuredClone(h.domains ?? []);
    },
    migrate: unsupported,
    jobProgress: unsupported,
    abortJob: unsupported,
    setMaxSpeed: unsupported,
    startPostCopy: unsupported,
    startDirtyRateCalc: unsupported,
    dirtyRates: unsupported,
    suspend: unsupported,
    resume: unsupported,
    locate: unsupported,
    async close() {},
  };
}

/** A clock whose sleep advances virtual time instantly. */
export function virtualClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}
