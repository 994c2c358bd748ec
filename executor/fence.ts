/**
 * Fenced ports: once `life` is aborted, every call throws EXECUTOR_STOPPED instead of acting, so
 * a stopped executor can no longer write state or touch hypervisors, like a dead process. Each
 * method is written out (the hypervisor's in HypervisorWrapper, executor/wrapper.ts): a member added
 * to a port without its fence is a type error. A guard (the executor's mandate among replicas) runs
 * before each call and may stop the executor.
 */
import { stopped } from './context.js';
import type { Hypervisor } from './hypervisor/types.js';
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
import { type HypervisorCall, HypervisorWrapper, type Wrapper } from './wrapper.js';

/** Runs the guard, then throws EXECUTOR_STOPPED when `life` is aborted. */
function passFence(life: AbortSignal, guard: (() => void) | undefined): void {
  guard?.();
  if (life.aborted) throw stopped(life);
}

export class FencedStore implements ExecutorStore, Wrapper<ExecutorStore> {
  constructor(
    private readonly inner: ExecutorStore,
    private readonly life: AbortSignal,
    /** Runs before every call; it may stop the executor (a lapsed mandate aborts `life`). */
    private readonly guard?: () => void,
  ) {}

  private check(): void {
    passFence(this.life, this.guard);
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

export class FencedHypervisor extends HypervisorWrapper {
  constructor(
    inner: Hypervisor,
    private readonly life: AbortSignal,
    /** Runs before every call; it may stop the executor (a lapsed mandate aborts `life`). */
    private readonly guard?: () => void,
  ) {
    super(inner);
  }

  /** Throws at once, before the call, when the executor has stopped. */
  protected around<T>(call: HypervisorCall, run: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    passFence(this.life, this.guard);
    return run(call.signal);
  }
}
