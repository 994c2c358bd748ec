/**
 * The executor: runs stored plans against a Hypervisor, persisting every step.
 *
 *   const executor = createExecutor({ hypervisor, store, clock, log, options, replan, hosts });
 *   await executor.recover();                 // once at start-up
 *   const result = await executor.execute(planId);
 *   executor.cancel(planId, 'abort');
 */
import { setMaxListeners } from 'node:events';
import type { ExecutorDeps, Ctx } from './context.js';
import { recordEvent, stopped } from './context.js';
import { ExecutorError } from './errors.js';
import { silentLogger } from './logger.js';
import { DeadlineHypervisor } from './deadline.js';
import { FencedHypervisor, FencedStore } from './fence.js';
import { resolveExecutorOptions, type CancelMode } from './options.js';
import { IN_FLIGHT, reconcileMove, releaseDangling } from './recover.js';
import { runPlanChain, type ExecutionResult, type PlanRunState } from './run-plan.js';
import { chainOf } from './outcome.js';
import { requestCancel } from './cancel.js';
import type { PlanRecord, PlanStatus } from './store.js';

export type { ExecutionResult } from './run-plan.js';
export type { ExecutorDeps, ExecutorHooks, ExecutorMandate, MoveStep, Replanned, ReplanFn } from './context.js';

export interface RecoveredPlan {
  planId: string;
  /** Settles when the resumed plan (and its re-plans) finished. */
  done: Promise<ExecutionResult>;
}

export interface Executor {
  /** Runs a `planned` plan to the end; resolves with the final status (never rejects for move failures). */
  execute(planId: string): Promise<ExecutionResult>;
  /**
   * Cancels a plan (or the plan that superseded it): no new move starts; `wait` lets moves in
   * flight finish, `abort` aborts them (the VMs stay on their sources). Returns the plan's status
   * now: `cancelling` while moves finish, `cancelled` when nothing ran, or the final status
   * when the plan had already ended.
   */
  cancel(planId: string, mode?: CancelMode): Promise<PlanStatus>;
  /** Reconciles and resumes plans a previous process left `running` or `cancelling`. */
  recover(): Promise<RecoveredPlan[]>;
  /** Ids of the plans this executor is running now. */
  active(): string[];
  /**
   * Stops the executor at once, as a crash would: no further store write or hypervisor call;
   * migration jobs in flight are left to the hypervisors (the next executor's `recover` finds
   * them). Its runs reject with `EXECUTOR_STOPPED`.
   */
  stop(reason: Error): void;
}

export function createExecutor(deps: ExecutorDeps): Executor {
  const lifeCtl = new AbortController();
  const life = lifeCtl.signal;
  setMaxListeners(0, life); // every move in flight listens to it
  const opts = resolveExecutorOptions(deps.options);
  const { mandate } = deps;
  // a lapsed mandate stops the executor before its next write or hypervisor call
  const checkMandate = mandate
    ? () => {
        if (!life.aborted && !mandate.valid())
          lifeCtl.abort(new ExecutorError('MANDATE_LAPSED', 'the executor lost its mandate (leader lease)'));
      }
    : undefined;
  const ctx: Ctx = {
    hv: new FencedHypervisor(
      new DeadlineHypervisor(deps.hypervisor, deps.clock, opts.callTimeoutMs),
      life,
      checkMandate,
    ),
    store: new FencedStore(deps.store, life, checkMandate),
    clock: deps.clock,
    log: (deps.log ?? silentLogger).child({ component: 'executor' }),
    opts,
    replan: deps.replan,
    hosts: new Map((deps.hosts ?? []).map((h) => [h.name, h])),
    hooks: deps.hooks ?? {},
    life,
    crash(err) {
      lifeCtl.abort(err);
      throw err;
    },
    incoming: new Map(),
    async confirmMandate() {
      checkMandate?.();
      if (life.aborted) throw stopped(life);
      if (!mandate) return;
      try {
        await mandate.confirm();
      } catch (err) {
        ctx.crash(err);
      }
      if (life.aborted) throw stopped(life);
    },
  };
  const runs = new Map<string, PlanRunState>();
  /** Plans `execute` was called for and has not started yet (their status change is in flight). */
  const starting = new Set<string>();

  const start = (rec: PlanRecord, cancelMode: CancelMode | null, prelude?: () => Promise<void>) => {
    const st: PlanRunState = {
      rootId: rec.id,
      planId: rec.id,
      cancelMode,
      abortInFlight: new AbortController(),
      log: ctx.log.child({ planId: rec.id }),
    };
    runs.set(rec.id, st);
    const done = (async () => {
      try {
        await prelude?.();
        return await runPlanChain(ctx, st);
      } catch (err) {
        // after a stop, report why the executor stopped rather than whichever task noticed first
        throw life.aborted ? life.reason : err;
      } finally {
        runs.delete(rec.id);
      }
    })();
    return done;
  };

  return {
    async execute(planId) {
      if (runs.has(planId) || starting.has(planId))
        throw new ExecutorError('PLAN_ALREADY_RUNNING', `plan ${planId} is already running`);
      starting.add(planId);
      let rec: PlanRecord | null;
      try {
        rec = await ctx.store.getPlan(planId);
        if (!rec) throw new ExecutorError('PLAN_NOT_FOUND', `no plan with id "${planId}"`);
        // planned -> running in one transaction: of two executors (or a cancel) racing, one wins
        const was = await ctx.store.changePlanStatus(planId, ['planned'], 'running', ctx.clock.now());
        if (was !== 'planned') {
          throw new ExecutorError(
            'PLAN_NOT_RUNNABLE',
            `plan ${planId} is ${was ?? rec.status}; only a planned plan can be executed`,
          );
        }
        await recordEvent(ctx, planId, null, 'plan.started', { moves: rec.plan.moves.length });
      } finally {
        starting.delete(planId);
      }
      return start(rec, null);
    },
    async cancel(planId, mode = ctx.opts.cancelMode) {
      const runOf = (id: string) => [...runs.values()].find((r) => r.planId === id);
      const asked = await requestCancel(ctx.store, ctx.clock, planId, mode, (id) => !!runOf(id));
      const st = runOf(asked.record.id);
      if (asked.status !== 'cancelling') return asked.status;
      if (st) {
        st.cancelMode = st.cancelMode === 'abort' ? 'abort' : mode;
        if (mode === 'abort') st.abortInFlight.abort();
      }
      return 'cancelling';
    },
    async recover() {
      const left = (await ctx.store.listPlans({ status: ['running', 'cancelling'], limit: 10_000 })).filter(
        (p) => !runs.has(p.id),
      );
      // a stop between creating a re-plan and linking it leaves both running: finish the link
      const successors = new Map(left.filter((p) => p.supersedes).map((p) => [p.supersedes!, p.id]));
      for (const [oldId, newId] of successors)
        if (left.some((p) => p.id === oldId)) await ctx.store.supersede(oldId, newId, ctx.clock.now());
      return left
        .filter((p) => !successors.has(p.id))
        .map((rec) => ({
          planId: rec.id,
          done: start(rec, rec.status === 'cancelling' ? 'wait' : null, () => reconcilePlan(ctx, rec.id)),
        }));
    },
    // a plan being started counts from the call of execute on
    active: () => [...starting, ...[...runs.values()].map((r) => r.planId)],
    stop(reason) {
      if (!life.aborted) lifeCtl.abort(reason);
    },
  };
}

/** Reconciles the moves a stopped process left in flight, all at once (they held admission then). */
async function reconcilePlan(ctx: Ctx, planId: string): Promise<void> {
  const log = ctx.log.child({ planId });
  log.warn({ planId }, 'recovering plan left running');
  await releaseDangling(ctx, planId);
  const inFlight = (await ctx.store.listMoves(planId)).filter((m) => IN_FLIGHT.includes(m.state));
  await Promise.all(
    inFlight.map(async (m) => {
      const data = { from: m.move.from, to: m.move.to, recovered: true };
      await recordEvent(ctx, planId, m.index, 'move.admitted', data);
      await reconcileMove(ctx, m, log.child({ move: m.index }));
      await recordEvent(ctx, planId, m.index, 'move.released', data);
    }),
  );
}

export { chainOf };
export { latestOfChain, planChain } from './chain.js';
export { requestCancel, type CancelRequest } from './cancel.js';
