/**
 * Runs one move to a final state: pre-check, migrate (see transfer.ts), verify where the VM
 * ended up, retry transient failures with backoff. Every state change is persisted before the
 * next action, so a restart can tell exactly how far the move got (see recover.ts).
 */
import type { Ctx } from './context.js';
import { recordEvent, step } from './context.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';
import { precheck, releaseReservation } from './precheck.js';
import { backoffDelay, isRetryable } from './retry.js';
import {
  TERMINAL_MOVE_STATES,
  type MoveRecord,
  type MoveState,
  type RecordedLocation,
  type StoredError,
} from './store.js';
import { startMode, transfer, type TransferResult, type TransferRun } from './transfer.js';

export interface MoveRun extends TransferRun {
  planId: string;
  /** True once the plan is being cancelled: no new attempt starts. */
  cancelRequested(): Promise<boolean>;
}

type AttemptResult = { kind: 'done'; state: MoveState } | { kind: 'retry' };

/** Runs the move until it reaches a terminal state and returns that state. */
export async function runMove(ctx: Ctx, run: MoveRun, index: number): Promise<MoveState> {
  const log = run.log.child({ move: index });
  for (;;) {
    const rec = (await ctx.store.getMove(run.planId, index))!;
    if (TERMINAL_MOVE_STATES.includes(rec.state)) return rec.state;
    if (await run.cancelRequested())
      return end(ctx, rec, log, 'cancelled', { code: 'CANCELLED', message: 'plan cancelled before the move started' });
    const r = await attempt(ctx, { ...run, log }, rec);
    if (r.kind === 'done') return r.state;
    const wait = backoffDelay(rec.attempts + 1, ctx.opts.retries);
    await ctx.clock.sleep(wait, ctx.life);
  }
}

async function attempt(ctx: Ctx, run: MoveRun, rec: MoveRecord): Promise<AttemptResult> {
  const { planId, index, move } = rec;
  step(ctx, 'precheck', planId, index);
  const attempts = rec.attempts + 1;
  await ctx.store.updateMove(
    planId,
    index,
    { state: 'prechecking', attempts, startedAt: rec.startedAt ?? ctx.clock.now(), error: null },
    ctx.clock.now(),
  );
  rec = { ...rec, attempts };
  try {
    const pre = await precheck(ctx, move, ctx.life);
    if (!pre.ok)
      return done(end(ctx, rec, run.log, pre.state, { code: pre.code, message: pre.message }, pre.location ?? null));
  } catch (err) {
    return onError(ctx, run, rec, err);
  }
  let result: TransferResult;
  try {
    if (await run.cancelRequested())
      return done(
        end(ctx, rec, run.log, 'cancelled', {
          code: 'CANCELLED',
          message: 'plan cancelled before the migration started',
        }),
      );
    step(ctx, 'migrate', planId, index);
    // fencing: a migration starts only under the executor's mandate, confirmed right now
    await ctx.confirmMandate();
    const startedAt = ctx.clock.now();
    await ctx.store.updateMove(planId, index, { state: 'migrating' }, startedAt);
    const started = { instance: move.instance, from: move.from, to: move.to, mode: move.mode, attempt: attempts };
    await recordEvent(ctx, planId, index, 'migration.started', { ...started, ...startMode(ctx, move) }, startedAt);
    run.log.info(
      { vm: move.name, from: move.from, to: move.to, mode: move.mode, attempt: attempts },
      'migration started',
    );
    result = await transfer(ctx, run, rec, startedAt);
  } finally {
    releaseReservation(ctx, move);
  }
  await recordEvent(ctx, planId, index, 'migration.ended', { result: result.kind });
  switch (result.kind) {
    case 'completed':
      return done(verify(ctx, run, rec, result.suspended));
    case 'error':
      return onError(ctx, run, rec, result.err);
    case 'timed_out':
      return done(
        end(ctx, rec, run.log, 'timed_out', { code: result.code, message: result.message }, await whereIs(ctx, rec)),
      );
    case 'cancelled':
      return done(
        end(
          ctx,
          rec,
          run.log,
          'cancelled',
          { code: 'CANCELLED', message: 'migration aborted by cancellation' },
          await whereIs(ctx, rec),
        ),
      );
  }
}

/** Confirms the VM runs on the destination and no longer on the source. */
export async function verify(ctx: Ctx, run: { log: Logger }, rec: MoveRecord, suspended: boolean): Promise<MoveState> {
  step(ctx, 'verify', rec.planId, rec.index);
  await ctx.store.updateMove(rec.planId, rec.index, { state: 'verifying' }, ctx.clock.now());
  const loc = await whereIs(ctx, rec);
  const { move } = rec;
  const seen = move.mode === 'cold' ? loc.definedOn : loc.runningOn;
  if (suspended && loc.runningOn.includes(move.to)) {
    await ctx.hv
      .resume(move.to, move.instance, ctx.life)
      .catch((err) => run.log.error({ err }, 'resume after forced completion failed'));
  }
  if (seen.includes(move.to) && !seen.includes(move.from)) return end(ctx, rec, run.log, 'succeeded', null);
  return end(
    ctx,
    rec,
    run.log,
    'failed',
    {
      code: 'NOT_ON_DESTINATION',
      message: `after the migration ${move.name} runs on [${loc.runningOn.join(', ')}], expected ${move.to}`,
    },
    loc,
  );
}

/** A failed attempt: the VM may have moved anyway; else retry transient errors while attempts remain. */
async function onError(ctx: Ctx, run: MoveRun, rec: MoveRecord, err: unknown): Promise<AttemptResult> {
  if (ctx.life.aborted) throw err;
  const error = describeError(err);
  const loc = await whereIs(ctx, rec).catch(() => null);
  if (loc?.runningOn.includes(rec.move.to) && !loc.runningOn.includes(rec.move.from))
    return done(verify(ctx, run, rec, false));
  if (isRetryable(err) && rec.attempts < ctx.opts.retries.maxAttempts && !(await run.cancelRequested())) {
    await ctx.store.updateMove(rec.planId, rec.index, { state: 'pending', error }, ctx.clock.now());
    await recordEvent(ctx, rec.planId, rec.index, 'move.retry', { attempt: rec.attempts, error });
    run.log.warn({ err, attempt: rec.attempts }, 'migration attempt failed, retrying');
    return { kind: 'retry' };
  }
  run.log.error({ err }, 'migration failed');
  return done(end(ctx, rec, run.log, 'failed', error, loc));
}

export async function whereIs(ctx: Ctx, rec: MoveRecord): Promise<RecordedLocation> {
  return ctx.hv.locate(rec.move.instance, [rec.move.from, rec.move.to], ctx.life);
}

/** Persists a terminal state (with where the VM is when that is not the plan's outcome). */
export async function end(
  ctx: Ctx,
  rec: MoveRecord,
  log: Logger,
  state: MoveState,
  error: StoredError | null,
  location: RecordedLocation | null = null,
): Promise<MoveState> {
  step(ctx, 'finish', rec.planId, rec.index);
  const at = ctx.clock.now();
  await ctx.store.updateMove(rec.planId, rec.index, { state, error, location, endedAt: at }, at);
  await recordEvent(ctx, rec.planId, rec.index, 'move.ended', { state, error, location }, at);
  if (state === 'succeeded') log.info({ vm: rec.move.name, to: rec.move.to }, 'move succeeded');
  else log.warn({ vm: rec.move.name, state, error, location }, 'move did not succeed');
  return state;
}

async function done(state: Promise<MoveState>): Promise<AttemptResult> {
  return { kind: 'done', state: await state };
}
