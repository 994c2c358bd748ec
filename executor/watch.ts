/**
 * Watches a running migration: reads its progress every `pollIntervalMs`, records a sample, and
 * reports the completion timeout (elapsed > the move's timeout) or a stall (remaining data not
 * decreasing for `progressTimeoutSeconds`). It only reports; the caller decides what to do.
 */
import type { Ctx } from './context.js';
import { step } from './context.js';
import type { MoveRecord } from './store.js';
import type { JobProgress } from './hypervisor/types.js';

export type WatchVerdict =
  | { kind: 'timeout'; code: 'COMPLETION_TIMEOUT' | 'STALLED'; message: string }
  /** No job runs any more (only reported with `untilIdle`). */
  | { kind: 'idle' };

export interface Watch {
  /** Settles with a verdict, or null when `signal` aborts. */
  verdict: Promise<WatchVerdict | null>;
  /** Stop judging timeouts (after force-complete) but keep recording progress. */
  disarm(): void;
}

export interface WatchOptions {
  /** When the migration started (epoch ms): the completion timeout counts from here. */
  startedAt: number;
  timeoutMs: number;
  /** Also settle when the hypervisor reports no job (used when resuming after a restart). */
  untilIdle?: boolean;
}

/** `completed`, `failed` and `cancelled` describe a job that has ended; only these two still run. */
export function jobRunning(type: JobProgress['type']): boolean {
  return type === 'bounded' || type === 'unbounded';
}

export function watchMigration(ctx: Ctx, rec: MoveRecord, o: WatchOptions, signal: AbortSignal): Watch {
  let armed = true;
  const verdict = (async (): Promise<WatchVerdict | null> => {
    const { move } = rec;
    let lowest = Infinity;
    let lowestAt = ctx.clock.now();
    let prev: { at: number; remaining: number } | null = null;
    for (;;) {
      try {
        await ctx.clock.sleep(ctx.opts.pollIntervalMs, signal);
      } catch {
        return null;
      }
      step(ctx, 'progress', rec.planId, rec.index);
      const p = await ctx.hv.jobProgress(move.from, move.instance, signal).catch(() => null);
      const now = ctx.clock.now();
      if (!p || !jobRunning(p.type)) {
        if (p && o.untilIdle) return { kind: 'idle' };
        continue;
      }
      const drop = prev ? prev.remaining - p.dataRemaining : 0;
      const eta = prev && drop > 0 && now > prev.at ? p.dataRemaining / (drop / ((now - prev.at) / 1000)) : null;
      await ctx.store.addProgress({
        planId: rec.planId,
        index: rec.index,
        at: now,
        processedBytes: p.dataProcessed,
        remainingBytes: p.dataRemaining,
        totalBytes: p.dataTotal,
        dirtyRateBps: p.memDirtyRateBps ?? null,
        etaSeconds: eta,
      });
      prev = { at: now, remaining: p.dataRemaining };
      if (p.dataRemaining < lowest) {
        lowest = p.dataRemaining;
        lowestAt = now;
      }
      if (!armed) continue;
      if (now - o.startedAt > o.timeoutMs) {
        return {
          kind: 'timeout',
          code: 'COMPLETION_TIMEOUT',
          message:
            `${move.name} still migrating after ${Math.round((now - o.startedAt) / 1000)} s (timeout ` +
            `${Math.round(o.timeoutMs / 1000)} s)`,
        };
      }
      if (now - lowestAt > ctx.opts.progressTimeoutSeconds * 1000) {
        return {
          kind: 'timeout',
          code: 'STALLED',
          message: `${move.name}: remaining data stuck at ${lowest} bytes for ${Math.round((now - lowestAt) / 1000)} s`,
        };
      }
    }
  })();
  const disarm = () => {
    armed = false;
  };
  return { verdict, disarm };
}
