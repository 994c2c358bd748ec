/**
 * Estimated wall-clock duration of a plan under the executor's concurrency limits, by a small
 * list-scheduling simulation: waves run one after another; inside a wave, moves start in plan
 * order as soon as the global, per-source and per-destination limits allow. Pure.
 */
import type { Move } from '../../../planner/index.js';

export interface ConcurrencyLimits {
  /** Migrations in flight across the whole plan. @default 4 */
  global: number;
  /** Migrations leaving one host at once. @default 2 */
  perHostOutbound: number;
  /** Migrations arriving at one host at once. @default 2 */
  perHostInbound: number;
}

export const DEFAULT_LIMITS: ConcurrencyLimits = { global: 4, perHostOutbound: 2, perHostInbound: 2 };

function waveDuration(moves: readonly Move[], limits: ConcurrencyLimits): number {
  const pending = [...moves];
  const running: Array<{ end: number; move: Move }> = [];
  const out = new Map<string, number>();
  const into = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
  let now = 0;
  let makespan = 0;
  while (pending.length || running.length) {
    for (let k = 0; k < pending.length && running.length < limits.global; ) {
      const m = pending[k];
      if ((out.get(m.from) ?? 0) >= limits.perHostOutbound || (into.get(m.to) ?? 0) >= limits.perHostInbound) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      running.push({ end: now + Math.max(0, m.estimatedSeconds), move: m });
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

/** Seconds from the first move's start to the last move's end. */
export function estimatePlanSeconds(moves: readonly Move[], limits: ConcurrencyLimits = DEFAULT_LIMITS): number {
  const waves = new Map<number, Move[]>();
  for (const m of moves) {
    const list = waves.get(m.wave);
    if (list) list.push(m);
    else waves.set(m.wave, [m]);
  }
  let total = 0;
  for (const w of [...waves.keys()].sort((a, b) => a - b)) total += waveDuration(waves.get(w)!, limits);
  return total;
}
