/**
 * Reconciliation after a restart. For each move a previous process left between `prechecking`
 * and `verifying`, ask the hypervisors where the VM is and whether a job still runs:
 * - a job still runs: watch it again (with the same timeouts), then judge by location;
 * - the VM runs on the destination only: the move succeeded;
 * - the VM is on its source and nothing runs: the move is pending again (failed once its
 *   attempts are used up), so it is retried from the pre-check, never migrated twice at once;
 * - anywhere else: failed, recording where it is.
 */
import type { Ctx } from './context.js';
import { recordEvent } from './context.js';
import type { Logger } from './logger.js';
import { end, verify, whereIs } from './migrate-one.js';
import type { MoveRecord, MoveState } from './store.js';
import { timeoutSecondsOf } from './transfer.js';
import { jobRunning, watchMigration } from './watch.js';

export { IN_FLIGHT_MOVE_STATES as IN_FLIGHT } from './store.js';

export async function reconcileMove(ctx: Ctx, rec: MoveRecord, log: Logger): Promise<MoveState> {
  const { move } = rec;
  const job = await ctx.hv.jobProgress(move.from, move.instance, ctx.life).catch(() => null);
  let timedOut: { code: string; message: string } | null = null;
  // the previous process may have paused the guest to force completion: resume it once landed
  let suspended = await pausedByUs(ctx, rec);
  if (job && jobRunning(job.type)) {
    log.warn({ vm: move.name }, 'resuming watch of a migration left running');
    await recordEvent(ctx, rec.planId, rec.index, 'migration.resumed', { state: rec.state });
    if (rec.state !== 'migrating')
      await ctx.store.updateMove(rec.planId, rec.index, { state: 'migrating' }, ctx.clock.now());
    const watched = await watchToEnd(ctx, rec, log);
    timedOut = watched.timedOut;
    suspended ||= watched.suspended;
  }
  const loc = await whereIs(ctx, rec);
  // live guests count where they run (a stale definition may linger); shut-off ones where defined
  const seen = move.mode === 'cold' ? loc.definedOn : loc.runningOn;
  const onDest = seen.includes(move.to);
  const onSource = seen.includes(move.from);
  if (onDest && !onSource) return verify(ctx, { log }, rec, suspended);
  if (onSource && !onDest) {
    if (timedOut) return end(ctx, rec, log, 'timed_out', timedOut, loc);
    if (rec.attempts >= ctx.opts.retries.maxAttempts) {
      return end(
        ctx,
        rec,
        log,
        'failed',
        {
          code: 'INTERRUPTED',
          message: `the executor stopped during attempt ${rec.attempts} of ${move.name}; no attempts left`,
        },
        loc,
      );
    }
    await ctx.store.updateMove(rec.planId, rec.index, { state: 'pending' }, ctx.clock.now());
    await recordEvent(ctx, rec.planId, rec.index, 'move.requeued', { attempts: rec.attempts });
    return 'pending';
  }
  return end(
    ctx,
    rec,
    log,
    'failed',
    { code: 'NOT_ON_DESTINATION', message: `after a restart ${move.name} runs on [${loc.runningOn.join(', ')}]` },
    loc,
  );
}

/** Watches a job found running until it ends, applying the completion and stall timeouts. */
async function watchToEnd(
  ctx: Ctx,
  rec: MoveRecord,
  log: Logger,
): Promise<{ timedOut: { code: string; message: string } | null; suspended: boolean }> {
  const history = await ctx.store.moveHistory(rec.planId, rec.index);
  const startedAt = [...history].reverse().find((h) => h.state === 'migrating')?.at ?? ctx.clock.now();
  const timeoutMs = timeoutSecondsOf(ctx, rec) * 1000;
  const first = await watchMigration(ctx, rec, { startedAt, timeoutMs, untilIdle: true }, ctx.life).verdict;
  if (!first || first.kind === 'idle') return { timedOut: null, suspended: false };
  const { move } = rec;
  let suspended = false;
  if (ctx.opts.onTimeout === 'abort') {
    log.warn({ code: first.code }, 'migration timed out, aborting');
    await ctx.hv
      .abortJob(move.from, move.instance, ctx.life)
      .catch((err) => log.warn({ err }, 'abort of migration job failed'));
  } else if (ctx.opts.permitPostCopy) {
    await ctx.hv
      .startPostCopy(move.from, move.instance, ctx.life)
      .catch((err) => log.error({ err }, 'post-copy switch failed'));
  } else {
    await ctx.hv.suspend(move.from, move.instance, ctx.life);
    suspended = true;
  }
  const w = watchMigration(ctx, rec, { startedAt, timeoutMs, untilIdle: true }, ctx.life);
  w.disarm();
  await w.verdict;
  return { timedOut: { code: first.code, message: first.message }, suspended };
}

async function pausedByUs(ctx: Ctx, rec: MoveRecord): Promise<boolean> {
  let paused = false;
  for (const e of await ctx.store.listEvents({ planId: rec.planId })) {
    if (e.moveIndex !== rec.index) continue;
    if (e.type === 'migration.started') paused = false;
    if (e.type === 'guest.suspended') paused = true;
  }
  return paused;
}

/** Closes admissions a stopped process left open in the event log, keeping the audit trail whole. */
export async function releaseDangling(ctx: Ctx, planId: string): Promise<void> {
  const open = new Map<number, { from: unknown; to: unknown; n: number }>();
  for (const e of await ctx.store.listEvents({ planId })) {
    if (e.moveIndex === null || (e.type !== 'move.admitted' && e.type !== 'move.released')) continue;
    const cur = open.get(e.moveIndex) ?? { ...(e.data as { from: unknown; to: unknown }), n: 0 };
    cur.n += e.type === 'move.admitted' ? 1 : -1;
    open.set(e.moveIndex, cur);
  }
  for (const [index, o] of open) {
    for (let k = 0; k < o.n; k++) {
      await recordEvent(ctx, planId, index, 'move.released', { from: o.from, to: o.to, recovered: true });
    }
  }
}
