/**
 * How long moves take under the executor's limits: the one estimate of a drain's, a campaign
 * step's and a whole campaign's duration, used by the plan and campaign texts, the campaign view's
 * ETA and the capacity report. Pure and deterministic (no clock).
 *
 * One move takes the planner's `estimatedSeconds` (its link, dirty rate and disk), but never less
 * than its GiB at the configured per-migration bandwidth cap, plus the per-migration overhead
 * (set-up, switch-over pause: `planner.migrationOverheadSeconds`, as for the nightly window).
 * Waves run one after another; inside a wave, moves start in plan order as soon as the global,
 * per-source and per-destination limits allow (a small list-scheduling simulation).
 */
import { DEFAULT_EXECUTOR_OPTIONS, resolveExecutorOptions, type ConcurrencyLimits } from '../../executor/options.js';
import type { ExecutorOptionsInput } from '../../executor/options.js';
import { DEFAULT_MIGRATION_OVERHEAD_SECONDS, type Move } from '../../planner/index.js';

export interface ExecutionLimits {
  /** The executor's concurrency limits (`executor.concurrency`). */
  concurrency: ConcurrencyLimits;
  /** The executor's per-migration bandwidth cap in MiB/s (`executor.bandwidthMiBps`); 0 = none. */
  bandwidthMiBps: number;
  /** Fixed cost of each migration in seconds (`planner.migrationOverheadSeconds`). */
  migrationOverheadSeconds: number;
}

/** The limits of the default configuration (for plan texts made without one). */
export const DEFAULT_EXECUTION_LIMITS: ExecutionLimits = {
  concurrency: DEFAULT_EXECUTOR_OPTIONS.concurrency,
  bandwidthMiBps: DEFAULT_EXECUTOR_OPTIONS.bandwidthMiBps,
  migrationOverheadSeconds: DEFAULT_MIGRATION_OVERHEAD_SECONDS,
};

/** The limits as configured: the `executor` section (with its defaults) and the planner's overhead. */
export function executionLimits(config: {
  executor: ExecutorOptionsInput;
  planner: { migrationOverheadSeconds?: number };
}): ExecutionLimits {
  const e = resolveExecutorOptions(config.executor);
  return {
    concurrency: e.concurrency,
    bandwidthMiBps: e.bandwidthMiBps,
    migrationOverheadSeconds: config.planner.migrationOverheadSeconds ?? DEFAULT_MIGRATION_OVERHEAD_SECONDS,
  };
}

/** Seconds one move takes under `limits` (see the module comment). */
export function moveSeconds(m: Pick<Move, 'estimatedSeconds' | 'gib'>, limits: ExecutionLimits): number {
  const capped = limits.bandwidthMiBps > 0 ? (m.gib * 1024) / limits.bandwidthMiBps : 0;
  return Math.max(0, m.estimatedSeconds, capped) + limits.migrationOverheadSeconds;
}

function waveSeconds(moves: readonly Move[], limits: ExecutionLimits): number {
  const c = limits.concurrency;
  const pending = [...moves];
  const running: Array<{ end: number; move: Move }> = [];
  const out = new Map<string, number>();
  const into = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
  let now = 0;
  let makespan = 0;
  while (pending.length || running.length) {
    for (let k = 0; k < pending.length && running.length < c.global; ) {
      const m = pending[k];
      if ((out.get(m.from) ?? 0) >= c.perHostOutbound || (into.get(m.to) ?? 0) >= c.perHostInbound) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      running.push({ end: now + moveSeconds(m, limits), move: m });
      bump(out, m.from, 1);
      bump(into, m.to, 1);
    }
    if (!running.length) break; // cannot happen with limits >= 1; guards against a zero limit
    running.sort((a, b) => a.end - b.end);
    const done = running.shift()!;
    now = done.end;
    makespan = Math.max(makespan, now);
    bump(out, done.move.from, -1);
    bump(into, done.move.to, -1);
  }
  return makespan;
}

/** Seconds from a drain's (or a campaign step's) first move start to its last move's end. */
export function drainSeconds(moves: readonly Move[], limits: ExecutionLimits): number {
  const waves = new Map<number, Move[]>();
  for (const m of moves) {
    const list = waves.get(m.wave);
    if (list) list.push(m);
    else waves.set(m.wave, [m]);
  }
  let total = 0;
  for (const w of [...waves.keys()].sort((a, b) => a - b)) total += waveSeconds(waves.get(w)!, limits);
  return total;
}

/**
 * Seconds one campaign step takes: its drain, then the patch of its hosts (`patchMinutes` each,
 * all hosts of the step at the same time: that is what `maxUnavailable` allows).
 */
export function campaignStepSeconds(
  step: { moves: readonly Move[]; hosts: readonly string[] },
  limits: ExecutionLimits,
  patchMinutes: number,
): number {
  return drainSeconds(step.moves, limits) + (step.hosts.length ? patchMinutes * 60 : 0);
}

/** What a campaign's duration depends on: the executor limits and the patch time per host. */
export interface CampaignTiming {
  limits: ExecutionLimits;
  /** `maintenance.patchMinutes`: expected patching time of one host. */
  patchMinutes: number;
}

/** The campaign timing as configured (`executor`, `planner.migrationOverheadSeconds`, `maintenance.patchMinutes`). */
export function campaignTiming(config: {
  executor: ExecutorOptionsInput;
  planner: { migrationOverheadSeconds?: number };
  maintenance: { patchMinutes: number };
}): CampaignTiming {
  return { limits: executionLimits(config), patchMinutes: config.maintenance.patchMinutes };
}
