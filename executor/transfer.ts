/**
 * One migration attempt from the hypervisor's side: start it, watch it, and act on a timeout,
 * a stall or a cancellation by aborting it (the VM stays on its source) or forcing it to finish
 * (post-copy when permitted, else pausing the guest until the copy is done).
 */
import type { Ctx } from './context.js';
import { anySignal, recordEvent } from './context.js';
import type { MoveRecord } from './store.js';
import { watchMigration, type WatchVerdict } from './watch.js';
import type { Logger } from './logger.js';
import { isRetryable } from './retry.js';

export type TransferResult =
  | { kind: 'completed'; suspended: boolean }
  | { kind: 'error'; err: unknown }
  | { kind: 'timed_out'; code: string; message: string }
  | { kind: 'cancelled' };

export interface TransferRun {
  /** Aborted when the plan is cancelled with mode `abort`. */
  abortInFlight: AbortSignal;
  log: Logger;
}

type Settled = { kind: 'completed' } | { kind: 'error'; err: unknown };

/**
 * How a move's migration starts. A move the plan marks `converges: false` (its guest dirties
 * memory near its bandwidth share) starts with auto-converge, or, where `permitPostCopy` allows,
 * switches to post-copy as soon as it runs, instead of waiting for the stall detector.
 */
export function startMode(ctx: Ctx, move: MoveRecord['move']): { autoConverge: boolean; postCopyAtStart: boolean } {
  const slow = move.converges === false && move.mode !== 'cold';
  return {
    autoConverge: ctx.opts.autoConverge || (slow && !ctx.opts.permitPostCopy),
    postCopyAtStart: slow && ctx.opts.permitPostCopy,
  };
}

export async function transfer(
  ctx: Ctx,
  run: TransferRun,
  rec: MoveRecord,
  startedAt: number,
): Promise<TransferResult> {
  const { move } = rec;
  const stop = new AbortController();
  const mode = startMode(ctx, move);
  const migration: Promise<Settled> = ctx.hv
    .migrate(
      {
        domainId: move.instance,
        domainName: move.name,
        from: move.from,
        to: move.to,
        mode: move.mode,
        bandwidthMiBps: ctx.opts.bandwidthMiBps,
        autoConverge: mode.autoConverge,
        postCopy: ctx.opts.permitPostCopy,
        maxDowntimeMs: ctx.opts.maxDowntimeMs,
      },
      ctx.life,
    )
    .then(
      () => ({ kind: 'completed' as const }),
      (err: unknown) => ({ kind: 'error' as const, err }),
    );
  const timeoutMs = timeoutSecondsOf(ctx, rec) * 1000;
  const watch = watchMigration(ctx, rec, { startedAt, timeoutMs }, anySignal(ctx.life, stop.signal));
  const judged = watch.verdict.then((v) => (v ? { kind: 'verdict' as const, v } : never()));
  judged.catch(() => undefined);
  const cancelled = onAbort(anySignal(run.abortInFlight, stop.signal));
  if (mode.postCopyAtStart) void switchToPostCopy(ctx, run, rec, stop.signal);
  try {
    const first = await Promise.race([migration, judged, cancelled]);
    if (first.kind === 'completed' || first.kind === 'error') return settle(first, false);
    if (ctx.life.aborted) throw ctx.life.reason;
    if (first.kind === 'cancel') {
      await abortQuietly(ctx, rec, run.log);
      return settle(await migration, false, { kind: 'cancelled' });
    }
    // after a forced completion keep recording progress, without judging timeouts again
    const keepWatching = () => {
      const again = watchMigration(ctx, rec, { startedAt, timeoutMs }, anySignal(ctx.life, stop.signal));
      again.disarm();
      again.verdict.catch(() => undefined); // ends with the attempt; a stop surfaces through the migration
    };
    return await onVerdict(ctx, run, rec, first.v, migration, keepWatching);
  } finally {
    stop.abort();
  }
}

async function onVerdict(
  ctx: Ctx,
  run: TransferRun,
  rec: MoveRecord,
  v: WatchVerdict,
  migration: Promise<Settled>,
  keepWatching: () => void,
): Promise<TransferResult> {
  if (v.kind !== 'timeout') return settle(await migration, false);
  const { move } = rec;
  await recordEvent(ctx, rec.planId, rec.index, 'migration.timeout', { code: v.code, action: ctx.opts.onTimeout });
  if (ctx.opts.onTimeout === 'abort') {
    run.log.warn({ code: v.code, reason: v.message }, 'migration timed out, aborting');
    await abortQuietly(ctx, rec, run.log);
    return settle(await migration, false, { kind: 'timed_out', code: v.code, message: v.message });
  }
  keepWatching();
  let suspended = false;
  if (ctx.opts.permitPostCopy) {
    run.log.warn({ code: v.code }, 'migration timed out, switching to post-copy');
    await ctx.hv.startPostCopy(move.from, move.instance, ctx.life).catch((err) => {
      run.log.error({ err }, 'post-copy switch failed');
    });
  } else {
    run.log.warn({ code: v.code }, 'migration timed out, pausing the guest to finish');
    await ctx.hv.suspend(move.from, move.instance, ctx.life);
    suspended = true;
    await recordEvent(ctx, rec.planId, rec.index, 'guest.suspended', { host: move.from });
  }
  return settle(await migration, suspended);
}

/**
 * Switches the migration to post-copy once its job runs (a plan said pre-copy will not converge);
 * a hypervisor not ready for the switch yet (still setting up) is asked again at the next poll.
 */
async function switchToPostCopy(ctx: Ctx, run: TransferRun, rec: MoveRecord, signal: AbortSignal): Promise<void> {
  const { move } = rec;
  for (let tries = 0; tries < 30 && !signal.aborted; tries++) {
    await ctx.clock.sleep(ctx.opts.pollIntervalMs, signal).catch(() => undefined);
    const p = await ctx.hv.jobProgress(move.from, move.instance, signal).catch(() => null);
    if (!p || (p.type !== 'bounded' && p.type !== 'unbounded')) continue;
    try {
      await ctx.hv.startPostCopy(move.from, move.instance, signal);
    } catch (err) {
      if (isRetryable(err)) continue;
      run.log.warn({ err }, 'post-copy switch at start failed; pre-copy goes on');
      return;
    }
    await recordEvent(ctx, rec.planId, rec.index, 'migration.postcopy', { reason: 'plan predicts no convergence' });
    run.log.info({ vm: move.name }, 'switched to post-copy at start: pre-copy predicted not to converge');
    return;
  }
}

/** The migration's own result wins over what we intended when it completed anyway. */
function settle(m: Settled, suspended: boolean, otherwise?: TransferResult): TransferResult {
  if (m.kind === 'completed') return { kind: 'completed', suspended };
  return otherwise ?? m;
}

async function abortQuietly(ctx: Ctx, rec: MoveRecord, log: Logger): Promise<void> {
  try {
    await ctx.hv.abortJob(rec.move.from, rec.move.instance, ctx.life);
  } catch (err) {
    // the job may have ended on its own meanwhile; the location check that follows tells the truth
    if (ctx.life.aborted) throw err;
    log.warn({ err }, 'abort of migration job failed');
  }
}

/** The move's completion timeout in seconds (from the plan, else per-GiB with a 2 GiB floor). */
export function timeoutSecondsOf(ctx: Ctx, rec: MoveRecord): number {
  if (rec.move.timeoutSeconds > 0) return rec.move.timeoutSeconds;
  return ctx.opts.completionTimeoutPerGiBSeconds * Math.max(2, rec.move.gib || 0);
}

function onAbort(signal: AbortSignal): Promise<{ kind: 'cancel' }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'cancel' });
    else signal.addEventListener('abort', () => resolve({ kind: 'cancel' }), { once: true });
  });
}

function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}
