/**
 * Bounds every short hypervisor call (everything but `migrate` and `close`) by a deadline, so
 * a host that stops answering cannot hold a move, and its admission slot, forever: the call
 * fails with a transient HOST_UNREACHABLE and the usual retry / re-plan rules apply. The
 * driver also receives an AbortSignal that fires at the deadline (with the caller's, if any).
 * Each method is written out: a member added to Hypervisor without its bound is a type error.
 */
import type { Clock } from './clock.js';
import { anySignal } from './context.js';
import { HypervisorError } from './hypervisor/errors.js';
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
import type { Wrapper } from './wrapper.js';

export class DeadlineHypervisor implements Hypervisor, Wrapper<Hypervisor> {
  readonly kind: Hypervisor['kind'];
  readonly compareCpu: Hypervisor['compareCpu'];

  /** `ms`: how long a short call may take before it fails. */
  constructor(
    private readonly inner: Hypervisor,
    private readonly clock: Clock,
    private readonly ms: number,
  ) {
    this.kind = inner.kind;
    const compare = inner.compareCpu;
    this.compareCpu = compare
      ? (host: string, cpu: GuestCpu, signal?: AbortSignal): Promise<CpuVerdict> =>
          this.bounded('compareCpu', host, signal, (s) => compare.call(inner, host, cpu, s))
      : undefined;
  }

  /**
   * Runs `call` with a signal that fires at the deadline or with the caller's `signal`; rejects
   * with HOST_UNREACHABLE at the deadline. `subject` names what the call was about in the error.
   */
  private bounded<T>(
    name: string,
    subject: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timer = new AbortController();
    const deadline = new AbortController();
    const expired = this.clock.sleep(this.ms, timer.signal).then((): never => {
      const err = new HypervisorError(
        'HOST_UNREACHABLE',
        `hypervisor call ${name}(${subject}) got no answer within ${this.ms} ms`,
        true,
      );
      deadline.abort(err);
      throw err;
    });
    expired.catch(() => undefined);
    let answer: Promise<T>;
    try {
      answer = call(signal ? anySignal(signal, deadline.signal) : deadline.signal);
    } catch (err) {
      answer = Promise.reject(err);
    }
    return Promise.race([answer, expired]).finally(() => timer.abort());
  }

  hostFacts(host: string, signal?: AbortSignal): Promise<HostFacts> {
    return this.bounded('hostFacts', host, signal, (s) => this.inner.hostFacts(host, s));
  }
  listDomains(host: string, signal?: AbortSignal): Promise<DomainFacts[]> {
    return this.bounded('listDomains', host, signal, (s) => this.inner.listDomains(host, s));
  }
  /** Not bounded: a migration has its own timeout and watch (executor/watch.ts). */
  migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void> {
    return this.inner.migrate(req, signal);
  }
  jobProgress(host: string, domainId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.bounded('jobProgress', host, signal, (s) => this.inner.jobProgress(host, domainId, s));
  }
  abortJob(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.bounded('abortJob', host, signal, (s) => this.inner.abortJob(host, domainId, s));
  }
  setMaxSpeed(host: string, domainId: string, mibps: number, signal?: AbortSignal): Promise<void> {
    return this.bounded('setMaxSpeed', host, signal, (s) => this.inner.setMaxSpeed(host, domainId, mibps, s));
  }
  startPostCopy(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.bounded('startPostCopy', host, signal, (s) => this.inner.startPostCopy(host, domainId, s));
  }
  startDirtyRateCalc(host: string, domainIds: string[], seconds: number, signal?: AbortSignal): Promise<string[]> {
    return this.bounded('startDirtyRateCalc', host, signal, (s) =>
      this.inner.startDirtyRateCalc(host, domainIds, seconds, s),
    );
  }
  dirtyRates(host: string, domainIds: string[], signal?: AbortSignal): Promise<Map<string, number>> {
    return this.bounded('dirtyRates', host, signal, (s) => this.inner.dirtyRates(host, domainIds, s));
  }
  suspend(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.bounded('suspend', host, signal, (s) => this.inner.suspend(host, domainId, s));
  }
  resume(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.bounded('resume', host, signal, (s) => this.inner.resume(host, domainId, s));
  }
  locate(domainId: string, hosts: string[], signal?: AbortSignal): Promise<DomainLocation> {
    return this.bounded('locate', domainId, signal, (s) => this.inner.locate(domainId, hosts, s));
  }
  /** Not bounded: closing waits for the driver's connections to end. */
  close(): Promise<void> {
    return this.inner.close();
  }
}
