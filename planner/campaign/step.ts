/**
 * One campaign step: drain its hosts with the project's drain planner, preferring destinations
 * that will not be drained later (hosts patched in earlier steps, hosts outside the campaign), so
 * what moves now never moves again.
 *
 * Tier A drains onto preferred hosts only. What it cannot place goes, in later waves of the same
 * step, to any other host of the cell (tier B: those instances will move again in their host's
 * step). If that still leaves movable instances behind, a plain drain over every host (tier C)
 * is tried and kept when it leaves fewer behind. Each drain plans on a sub-inventory: the step's
 * hosts, the least loaded candidates and the hosts of affected affinity groups; when a truncated
 * candidate list leaves something unplaced the drain is retried on every candidate.
 */
import type { Move, Plan, Unplaced } from '../model/plan.js';
import type { PlannerOptions } from '../model/options.js';
import { planDrain } from '../strategies/drain.js';
import { affinityHosts, applyMoves, type CampaignState, loadOf, subInventory, undoMoves } from './state.js';

/** Fewest candidate destinations a step's drain considers before widening to all. */
export const MIN_CANDIDATES = 40;
/** Candidates per instance being drained. */
export const CANDIDATES_PER_INSTANCE = 1.5;

export interface StepResult {
  moves: Move[];
  unplaced: Unplaced[];
  /** Of the drain(s) used: method, objective (peak utilisation of receivers) and a proven bound. */
  solve: { method: string; objective: number; lowerBound: number };
}

/** Codes no other destination can fix. */
const PERMANENT = new Set(['PINNED', 'READONLY_DEVICE']);
const retryable = (u: readonly Unplaced[]) => u.some((x) => !PERMANENT.has(x.code));

export interface StepContext {
  state: CampaignState;
  options: PlannerOptions;
  /** Hosts that may receive at all (same cell, enabled, up, not avoided), in inventory order. */
  eligible: readonly number[];
}

function drainOn(ctx: StepContext, hosts: readonly number[], candidates: readonly number[], makeRoom = false): Plan {
  const s = ctx.state;
  const include = new Set<number>([...hosts, ...candidates]);
  const allowed = new Set(include);
  for (const k of affinityHosts(s, hosts)) include.add(k);
  const inv = subInventory(s, include);
  const avoid = [...include].filter((k) => !allowed.has(k)).map((k) => s.inventory.hosts[k].name);
  const names = hosts.map((k) => s.inventory.hosts[k].name);
  const avoidHosts = [...(ctx.options.avoidHosts ?? []), ...avoid];
  // The campaign's tiers decide what moves where; a drain making room on its own would move again
  // instances that already reached a patched host, so it may only as a last resort (lastResort).
  const request = { hosts: names, makeRoom };
  return planDrain(inv, request, { ...ctx.options, avoidHosts, method: drainMethod(ctx.options) });
}

/**
 * Steps use the heuristic unless `exact` is asked for: the branch-and-bound of `auto` only lowers
 * a step's peak, never its GiB (every drain move copies what it copies), and on a step that cannot
 * be completed it spends its whole budget (measured with the 3,000,000-evaluation budget `auto`
 * had then: 1.7 s instead of 30 ms for the six-host fixture at maxUnavailable 3).
 */
function drainMethod(o: PlannerOptions): PlannerOptions['method'] {
  return o.method === 'exact' ? 'exact' : 'heuristic';
}

/** Drain onto the least loaded `pool` hosts, widening to all of `pool` when that leaves something behind. */
function drainPreferLight(ctx: StepContext, hosts: readonly number[], pool: readonly number[]): Plan {
  const moving = hosts.reduce((n, k) => n + ctx.state.onHost[k].size, 0);
  const limit = Math.max(MIN_CANDIDATES, Math.ceil(CANDIDATES_PER_INSTANCE * moving));
  if (pool.length <= limit) return drainOn(ctx, hosts, pool);
  const first = drainOn(ctx, hosts, lightest(ctx.state, pool, limit));
  return retryable(first.unplaced) ? drainOn(ctx, hosts, pool) : first;
}

const plain = (p: Plan): StepResult => ({
  moves: p.moves,
  unplaced: p.unplaced,
  solve: { method: p.metrics.method, objective: p.metrics.objective, lowerBound: p.metrics.lowerBound },
});

/** The `limit` least loaded hosts of `pool` (ties: lower index), in index order. */
function lightest(s: CampaignState, pool: readonly number[], limit: number): number[] {
  const loads = Float64Array.from(pool, (k) => loadOf(s, k));
  const cut = loads.slice().sort()[limit - 1];
  const below = pool.filter((_, i) => loads[i] < cut);
  const at = pool.filter((_, i) => loads[i] === cut).slice(0, limit - below.length);
  return [...below, ...at].sort((a, b) => a - b);
}

function lastWave(moves: readonly Move[]): number {
  return moves.reduce((w, m) => Math.max(w, m.wave), -1);
}

/**
 * Plans the drain of `hosts` from the current state; `preferred(k)` says whether host k is a
 * destination that will not be drained later. Leaves the state as it found it.
 */
export function planStep(ctx: StepContext, hosts: readonly number[], preferred: (k: number) => boolean): StepResult {
  const drained = new Set(hosts);
  const others = ctx.eligible.filter((k) => !drained.has(k));
  const pool = others.filter(preferred);
  if (pool.length === 0) return lastResort(ctx, hosts, others, plain(drainPreferLight(ctx, hosts, others)));
  const a = drainPreferLight(ctx, hosts, pool);
  if (!retryable(a.unplaced)) return plain(a);
  applyMoves(ctx.state, a.moves);
  const b = drainPreferLight(ctx, hosts, others);
  undoMoves(ctx.state, a.moves);
  const offset = lastWave(a.moves) + 1;
  const tiered: StepResult = {
    moves: [...a.moves, ...b.moves.map((m) => ({ ...m, wave: m.wave + offset }))],
    unplaced: b.unplaced,
    // Two drains in sequence: the bound of each says nothing about the pair, so none is claimed.
    solve: {
      method: `${a.metrics.method} then ${b.metrics.method}`,
      objective: Math.max(a.metrics.objective, b.metrics.objective),
      lowerBound: 0,
    },
  };
  if (!retryable(tiered.unplaced) || a.moves.length === 0) return lastResort(ctx, hosts, others, tiered);
  const c = drainPreferLight(ctx, hosts, others);
  return lastResort(ctx, hosts, others, c.unplaced.length < tiered.unplaced.length ? plain(c) : tiered);
}

/**
 * When fragmentation is all that still blocks the step, a drain that makes room (moving other
 * instances of the cell first, possibly ones that had settled on patched hosts) is kept if it
 * leaves fewer instances behind: completing the step is worth those moves.
 */
function lastResort(ctx: StepContext, hosts: readonly number[], others: readonly number[], best: StepResult) {
  if (!retryable(best.unplaced)) return best;
  const d = drainOn(ctx, hosts, others, true);
  return d.unplaced.length < best.unplaced.length ? plain(d) : best;
}
