/**
 * Explicit wrappers: the shape every one has, and the one wrapper of a Hypervisor that writes each
 * method out once, so the fence (executor/fence.ts) and the deadline (executor/deadline.ts) say
 * only what they do around a call. No Proxy: a member added to Hypervisor is a type error here.
 */
import type {
  CpuVerdict,
  DomainFacts,
  DomainLocation,
  GuestCpu,
  HostFacts,
  Hypervisor,
  JobProgress,
  MigrationRequest,
} from './hypervisor/types.js';

/**
 * The shape of an explicit wrapper: every member of `T`, optional ones included (those may be
 * `undefined` when the wrapped object lacks them). A class that `implements Wrapper<T>` and
 * forgets a member of `T`, or one added to `T` later, does not compile.
 */
export type Wrapper<T> = { [K in keyof T & string]: IsOptional<T, K> extends true ? T[K] | undefined : T[K] };

type IsOptional<T, K extends keyof T> = Partial<Pick<T, K>> extends Pick<T, K> ? true : false;

/** One hypervisor call as a wrapper sees it. */
export interface HypervisorCall {
  /** The Hypervisor method. */
  name: Exclude<keyof Hypervisor, 'kind'>;
  /** What the call is about, for messages: the host, or the domain (`locate`, `migrate`); '' for `close`. */
  subject: string;
  /** The caller's signal, if any. */
  signal?: AbortSignal;
}

/**
 * A Hypervisor that hands every call of `inner` to `around`, with the signal the driver is to get
 * (the caller's, or one of the wrapper's own). `compareCpu` is there exactly when `inner` has it.
 */
export abstract class HypervisorWrapper implements Hypervisor, Wrapper<Hypervisor> {
  readonly kind: Hypervisor['kind'];
  readonly compareCpu: Hypervisor['compareCpu'];

  constructor(protected readonly inner: Hypervisor) {
    this.kind = inner.kind;
    const compare = inner.compareCpu;
    this.compareCpu = compare
      ? (host: string, cpu: GuestCpu, signal?: AbortSignal): Promise<CpuVerdict> =>
          this.around({ name: 'compareCpu', subject: host, signal }, (s) => compare.call(inner, host, cpu, s))
      : undefined;
  }

  /** Runs one call; `run` makes it on `inner` with the signal given. */
  protected abstract around<T>(call: HypervisorCall, run: (signal?: AbortSignal) => Promise<T>): Promise<T>;

  hostFacts(host: string, signal?: AbortSignal): Promise<HostFacts> {
    return this.around({ name: 'hostFacts', subject: host, signal }, (s) => this.inner.hostFacts(host, s));
  }
  listDomains(host: string, signal?: AbortSignal): Promise<DomainFacts[]> {
    return this.around({ name: 'listDomains', subject: host, signal }, (s) => this.inner.listDomains(host, s));
  }
  migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'migrate', subject: req.domainId, signal }, (s) => this.inner.migrate(req, s));
  }
  jobProgress(host: string, domainId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.around({ name: 'jobProgress', subject: host, signal }, (s) =>
      this.inner.jobProgress(host, domainId, s),
    );
  }
  abortJob(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'abortJob', subject: host, signal }, (s) => this.inner.abortJob(host, domainId, s));
  }
  setMaxSpeed(host: string, domainId: string, mibps: number, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'setMaxSpeed', subject: host, signal }, (s) =>
      this.inner.setMaxSpeed(host, domainId, mibps, s),
    );
  }
  startPostCopy(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'startPostCopy', subject: host, signal }, (s) =>
      this.inner.startPostCopy(host, domainId, s),
    );
  }
  startDirtyRateCalc(host: string, domainIds: string[], seconds: number, signal?: AbortSignal): Promise<string[]> {
    return this.around({ name: 'startDirtyRateCalc', subject: host, signal }, (s) =>
      this.inner.startDirtyRateCalc(host, domainIds, seconds, s),
    );
  }
  dirtyRates(host: string, domainIds: string[], signal?: AbortSignal): Promise<Map<string, number>> {
    return this.around({ name: 'dirtyRates', subject: host, signal }, (s) => this.inner.dirtyRates(host, domainIds, s));
  }
  suspend(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'suspend', subject: host, signal }, (s) => this.inner.suspend(host, domainId, s));
  }
  resume(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.around({ name: 'resume', subject: host, signal }, (s) => this.inner.resume(host, domainId, s));
  }
  locate(domainId: string, hosts: string[], signal?: AbortSignal): Promise<DomainLocation> {
    return this.around({ name: 'locate', subject: domainId, signal }, (s) => this.inner.locate(domainId, hosts, s));
  }
  close(): Promise<void> {
    return this.around({ name: 'close', subject: '' }, () => this.inner.close());
  }
}
