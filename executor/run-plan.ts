/**
 * Runs a plan wave by wave; after failed or skipped moves, finishes the wave's in-flight moves,
 * asks for a new plan from fresh state (bounded), marks the old plan superseded and goes on with
 * the new one. Ends with an honest status: `succeeded` only when every move of the final plan
 * succeeded and that plan is feasible.
 */
import { createAdmission } from './admission.js';
import type { Ctx } from './context.js';
import { recordEvent } from './context.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';
import type { CancelMode } from './options.js';
import { chainOf, replanInputs, summarise } from './outcome.js';
import type { PlanStatus } from './store.js';
import { runWave } from './wave.js';

export interface ExecutionResult {
  /** The plan `execute` was called with. */
  planId: string;
  /** The last plan of the re-plan chain (the same id when nothing was re-planned). */
  finalPlanId: string;
  status: Extract<PlanStatus, 'succeeded' | 'failed' | 'cancelled'>;
  summary: unknown;
}

/** In-memory state of a plan being executed by this process. */
export interface PlanRunState {
  rootId: string;
  planId: string;
  cancelMode: CancelMode | null;
  abortInFlight: AbortController;
  log: Logger;
}

export async function runPlanChain(ctx: Ctx, st: PlanRunState): Promise<ExecutionResult> {
  for (;;) {
    const outcome = await runOnePlan(ctx, st);
    if (outcome === 'finished') return finish(ctx, st, null);
    const replans = (await chainOf(ctx.store, st.planId)).length - 1;
    if (!ctx.replan || replans >= ctx.opts.maxReplans || st.cancelMode) return finish(ctx, st, null);
    try {
      await replan(ctx, st);
    } catch (err) {
      if (ctx.life.aborted) throw err;
      st.log.error({ err }, 're-plan failed');
      return finish(ctx, st, { code: 'REPLAN_FAILED', message: describeError(err).message });
    }
  }
}

/** Runs the waves of the current plan; stops after the first wave that had trouble. */
async function runOnePlan(ctx: Ctx, st: PlanRunState): Promise<'finished' | 'trouble'> {
  const rec = (await ctx.store.getPlan(st.planId))!;
  const waves = [...new Set(rec.plan.moves.map((m) => m.wave))].sort((a, b) => a - b);
  const admission = createAdmission(ctx.opts.concurrency);
  const log = st.log.child({ planId: st.planId });
  let trouble = false;
  const cancelRequested = async () => {
    if (!st.cancelMode && (await ctx.store.getPlan(st.planId))?.status === 'cancelling') st.cancelMode = 'wait';
    return st.cancelMode !== null;
  };
  const run = { planId: st.planId, log, abortInFlight: st.abortInFlight.signal, cancelRequested };
  for (const wave of waves) {
    const moves = (await ctx.store.listMoves(st.planId)).filter((m) => m.move.wave === wave);
    trouble ||= moves.some((m) => ['failed', 'skipped', 'timed_out'].includes(m.state));
    if (!trouble && !(await cancelRequested())) {
      await runWave(ctx, admission, run, moves, {
        stopStarting: async () => trouble || (await cancelRequested()),
        onTrouble: () => {
          trouble = true;
        },
      });
    }
    if (await cancelRequested()) {
      for (const m of (await ctx.store.listMoves(st.planId)).filter((x) => x.state === 'pending')) {
        await ctx.store.updateMove(
          st.planId,
          m.index,
          {
            state: 'cancelled',
            error: { code: 'CANCELLED', message: 'plan cancelled before the move started' },
            endedAt: ctx.clock.now(),
          },
          ctx.clock.now(),
        );
      }
      return 'finished';
    }
    if (trouble) return 'trouble';
  }
  return 'finished';
}

async function replan(ctx: Ctx, st: PlanRunState): Promise<void> {
  const old = (await ctx.store.getPlan(st.planId))!;
  const { exclusions, avoidHosts } = await replanInputs(ctx.store, st.planId);
  st.log.warn({ planId: old.id, exclusions, avoidHosts }, 're-planning after failed moves');
  const { plan, request } = await ctx.replan!({ planId: old.id, exclusions, avoidHosts });
  const at = ctx.clock.now();
  const next = await ctx.store.createPlan({
    plan,
    request: request ?? null,
    source: old.source,
    status: 'running',
    supersedes: old.id,
    at,
  });
  await ctx.store.supersede(old.id, next.id, at);
  await recordEvent(ctx, old.id, null, 'plan.superseded', { by: next.id, exclusions, avoidHosts }, at);
  await recordEvent(ctx, next.id, null, 'plan.started', { supersedes: old.id, moves: plan.moves.length }, at);
  st.planId = next.id;
}

async function finish(
  ctx: Ctx,
  st: PlanRunState,
  error: { code: string; message: string } | null,
): Promise<ExecutionResult> {
  const rec = (await ctx.store.getPlan(st.planId))!;
  const summary = await summarise(ctx.store, st.planId);
  const moves = await ctx.store.listMoves(st.planId);
  const cancelled = st.cancelMode !== null || rec.status === 'cancelling';
  const allGood = moves.every((m) => m.state === 'succeeded') && rec.plan.feasible && !error;
  const status = cancelled ? 'cancelled' : allGood ? 'succeeded' : 'failed';
  const failure = error ?? (status === 'failed' ? summary.error : null);
  const at = ctx.clock.now();
  await ctx.store.setPlanStatus(st.planId, status, at, { summary, error: failure });
  await recordEvent(ctx, st.planId, null, 'plan.finished', { status }, at);
  st.log.info({ planId: st.planId, status }, 'plan finished');
  return { planId: st.rootId, finalPlanId: st.planId, status, summary };
}
