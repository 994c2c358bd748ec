/**
 * Fenced ports: once `life` is aborted, every call throws EXECUTOR_STOPPED instead of acting, so
 * a stopped executor can no longer write state or touch hypervisors, like a dead process. Each
 * method is written out: a member added to a port without its fence is a type error. A guard
 * (the executor's mandate among replicas) runs before each call and may stop the executor.
 */
import { stopped } from './context.js';
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
import type {
  ExecutorStore,
  MoveEnding,
  MovePatch,
  MoveRecord,
  MoveState,
  MoveStateChange,
  NewPlan,
  PlanEvent,
  PlanFilter,
  PlanRecord,
  PlanStatus,
  PlanTotals,
  ProgressSample,
  StoredError,
  WriteFault,
} from './store.js';
import type { Wrapper } from './wrapper.js';

export class FencedStore implements ExecutorStore, Wrapper<ExecutorStore> {
  constructor(
    private readonly inner: ExecutorStore,
    private readonly life: AbortSignal,
    /** Runs before every call; it may stop the executor (a lapsed mandate aborts `life`). */
    private readonly guard?: () => void,
  ) {}

  private check(): void {
    this.guard?.();
    if (this.life.aborted) throw stopped(this.life);
  }

  async createPlan(input: NewPlan): Promise<PlanRecord> {
    this.check();
    return this.inner.createPlan(input);
  }
  async getPlan(id: string): Promise<PlanRecord | null> {
    this.check();
    return this.inner.getPlan(id);
  }
  async getPlanVersion(id: string): Promise<{ status: PlanStatus; updatedAt: number } | null> {
    this.check();
    return this.inner.getPlanVersion(id);
  }
  async listPlans(filter?: PlanFilter): Promise<PlanRecord[]> {
    this.check();
    return this.inner.listPlans(filter);
  }
  async setPlanStatus(
    id: string,
    status: PlanStatus,
    at: number,
    extra?: { summary?: unknown; error?: StoredError | null },
  ): Promise<void> {
    this.check();
    return this.inner.setPlanStatus(id, status, at, extra);
  }
  async changePlanStatus(
    id: string,
    from: readonly PlanStatus[],
    status: PlanStatus,
    at: number,
  ): Promise<PlanStatus | null> {
    this.check();
    return this.inner.changePlanStatus(id, from, status, at);
  }
  async supersede(oldId: string, newId: string, at: number): Promise<void> {
    this.check();
    return this.inner.supersede(oldId, newId, at);
  }
  async listMoves(planId: string): Promise<MoveRecord[]> {
    this.check();
    return this.inner.listMoves(planId);
  }
  async getMove(planId: string, index: number): Promise<MoveRecord | null> {
    this.check();
    return this.inner.getMove(planId, index);
  }
  async updateMove(planId: string, index: number, patch: MovePatch, at: number): Promise<void> {
    this.check();
    return this.inner.updateMove(planId, index, patch, at);
  }
  async moveHistory(planId: string, index: number): Promise<MoveStateChange[]> {
    this.check();
    return this.inner.moveHistory(planId, index);
  }
  async addProgress(sample: ProgressSample): Promise<void> {
    this.check();
    return this.inner.addProgress(sample);
  }
  async listProgress(planId: string, index?: number): Promise<ProgressSample[]> {
    this.check();
    return this.inner.listProgress(planId, index);
  }
  async planTotals(): Promise<PlanTotals> {
    this.check();
    return this.inner.planTotals();
  }
  async listMoveEndings(afterId: number, limit: number): Promise<MoveEnding[]> {
    this.check();
    return this.inner.listMoveEndings(afterId, limit);
  }
  async countMoves(states: readonly MoveState[]): Promise<number> {
    this.check();
    return this.inner.countMoves(states);
  }
  async appendEvent(e: Omit<PlanEvent, 'id'>): Promise<number> {
    this.check();
    return this.inner.appendEvent(e);
  }
  async listEvents(filter?: { planId?: string; afterId?: number; limit?: number }): Promise<PlanEvent[]> {
    this.check();
    return this.inner.listEvents(filter);
  }
  async probeWrite(at: number): Promise<void> {
    this.check();
    return this.inner.probeWrite(at);
  }
  async lastWriteFault(): Promise<WriteFault | null> {
    this.check();
    return this.inner.lastWriteFault();
  }
  async close(): Promise<void> {
    this.check();
    return this.inner.close();
  }
}

export class FencedHypervisor implements Hypervisor, Wrapper<Hypervisor> {
  readonly kind: Hypervisor['kind'];
  readonly compareCpu: Hypervisor['compareCpu'];

  constructor(
    private readonly inner: Hypervisor,
    private readonly life: AbortSignal,
    /** Runs before every call; it may stop the executor (a lapsed mandate aborts `life`). */
    private readonly guard?: () => void,
  ) {
    this.kind = inner.kind;
    const compare = inner.compareCpu;
    this.compareCpu = compare
      ? (host: string, cpu: GuestCpu, signal?: AbortSignal): Promise<CpuVerdict> => {
          this.check();
          return compare.call(inner, host, cpu, signal);
        }
      : undefined;
  }

  private check(): void {
    this.guard?.();
    if (this.life.aborted) throw stopped(this.life);
  }

  hostFacts(host: string, signal?: AbortSignal): Promise<HostFacts> {
    this.check();
    return this.inner.hostFacts(host, signal);
  }
  listDomains(host: string, signal?: AbortSignal): Promise<DomainFacts[]> {
    this.check();
    return this.inner.listDomains(host, signal);
  }
  migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.migrate(req, signal);
  }
  jobProgress(host: string, domainId: string, signal?: AbortSignal): Promise<JobProgress> {
    this.check();
    return this.inner.jobProgress(host, domainId, signal);
  }
  abortJob(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.abortJob(host, domainId, signal);
  }
  setMaxSpeed(host: string, domainId: string, mibps: number, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.setMaxSpeed(host, domainId, mibps, signal);
  }
  startPostCopy(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.startPostCopy(host, domainId, signal);
  }
  startDirtyRateCalc(host: string, domainIds: string[], seconds: number, signal?: AbortSignal): Promise<string[]> {
    this.check();
    return this.inner.startDirtyRateCalc(host, domainIds, seconds, signal);
  }
  dirtyRates(host: string, domainIds: string[], signal?: AbortSignal): Promise<Map<string, number>> {
    this.check();
    return this.inner.dirtyRates(host, domainIds, signal);
  }
  suspend(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.suspend(host, domainId, signal);
  }
  resume(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    this.check();
    return this.inner.resume(host, domainId, signal);
  }
  locate(domainId: string, hosts: string[], signal?: AbortSignal): Promise<DomainLocation> {
    this.check();
    return this.inner.locate(domainId, hosts, signal);
  }
  close(): Promise<void> {
    this.check();
    return this.inner.close();
  }
}
