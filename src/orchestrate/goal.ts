/**
 * The goal checked after execution. Move outcomes say what the executor did; a fresh inventory
 * of the hosts involved says what the world looks like now. A drain's goal is met when its
 * drained hosts are empty of everything it was meant to move and nothing arrived there
 * meanwhile; a balance's when each cell's achieved imbalance is no worse than planned (within
 * `BALANCE_TOLERANCE`) or below the request's threshold. `goalOutcome` is pure; `recordOutcome`
 * stores it with the plan.
 */
import { planChain } from '../../executor/chain.js';
import type { ExecutorStore, PlanRecord, PlanStatus } from '../../executor/store.js';
import { cellStats, imbalanceOf, type CellStats, type Inventory, type Plan } from '../../planner/index.js';

/** Achieved imbalance may exceed the planned one by this much (measured CPU drifts). */
export const BALANCE_TOLERANCE = 0.02;

export interface DrainOutcome {
  goal: 'drain';
  met: boolean;
  checkedAt: number;
  /** Per drained host: instances still there, split into those the plan moved or meant to move and newcomers. */
  hosts: { host: string; empty: boolean; remaining: OutcomeInstance[]; arrived: OutcomeInstance[] }[];
  /** Set when newcomers were handed to a follow-up drain (see lifecycle), or why not. */
  followUp: { planId: string | null; instances: string[]; note: string } | null;
}

export interface BalanceOutcome {
  goal: 'balance';
  met: boolean;
  checkedAt: number;
  cells: { cell: string; planned: number; achieved: number; before: number }[];
}

export type GoalOutcome = DrainOutcome | BalanceOutcome;
export interface OutcomeInstance {
  id: string;
  name: string;
}

/** The planner's imbalance statistic of a cell (0 for a cell without figures), rounded for output. */
export function cellImbalance(s: CellStats | undefined): number {
  return s ? Math.round(imbalanceOf(s) * 10_000) / 10_000 : 0;
}

/**
 * Hosts to collect when checking the goal: every host of the cells the plan works in (a drain's
 * drained hosts and where a follow-up could send newcomers; a balance's cells).
 */
export function hostsInvolved(plan: Plan, hosts: { name: string; cell: string }[]): string[] {
  const drained = new Set(plan.target.hosts ?? []);
  const cells = new Set(
    plan.goal === 'drain'
      ? hosts.filter((h) => drained.has(h.name)).map((h) => h.cell)
      : (plan.target.cells ?? Object.keys(plan.metrics.after)),
  );
  return hosts.filter((h) => cells.has(h.cell)).map((h) => h.name);
}

/**
 * The outcome of a finished plan chain. `chain` holds every plan of the chain (root first, the
 * final plan last): instances any of them moved or left unplaced count as the plan's own.
 */
export function goalOutcome(chain: Plan[], now: Inventory, at: number, threshold?: number): GoalOutcome {
  const final = chain[chain.length - 1];
  if (final.goal === 'balance') return balanceOutcome(final, now, at, threshold);
  const own = new Set(chain.flatMap((p) => [...p.moves.map((m) => m.instance), ...p.unplaced.map((u) => u.instance)]));
  const hosts = (final.target.hosts ?? []).map((host) => {
    const there = now.instances.filter((i) => i.host === host).map((i) => ({ id: i.id, name: i.name }));
    const remaining = there.filter((i) => own.has(i.id));
    const arrived = there.filter((i) => !own.has(i.id));
    return { host, empty: there.length === 0, remaining, arrived };
  });
  return { goal: 'drain', met: hosts.every((h) => h.empty), checkedAt: at, hosts, followUp: null };
}

function balanceOutcome(plan: Plan, now: Inventory, at: number, threshold = 0): BalanceOutcome {
  const achieved = cellStats(now, new Map());
  const cells = Object.keys(plan.metrics.after).map((cell) => ({
    cell,
    before: cellImbalance(plan.metrics.before[cell]),
    planned: cellImbalance(plan.metrics.after[cell]),
    achieved: cellImbalance(achieved[cell]),
  }));
  const met = cells.every((c) => c.achieved <= Math.max(c.planned + BALANCE_TOLERANCE, threshold));
  return { goal: 'balance', met, checkedAt: at, cells };
}

/** The plans of `finalId`'s re-plan chain up to `finalId` itself, root first. */
export async function chainOf(store: Pick<ExecutorStore, 'getPlan'>, finalId: string): Promise<PlanRecord[]> {
  const ids = await planChain(store, finalId);
  const out: PlanRecord[] = [];
  for (const id of ids.slice(0, ids.indexOf(finalId) + 1)) {
    const r = await store.getPlan(id);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Stores `outcome` with the final plan (in its summary, shown by GET /plans/:id), appends a
 * `plan.outcome` event, and turns a `succeeded` plan whose goal is not met into `failed`
 * (GOAL_NOT_MET) unless a follow-up drain took it over. Returns the status the plan ends with.
 */
export async function recordOutcome(
  store: ExecutorStore,
  record: PlanRecord,
  outcome: GoalOutcome,
  at: number,
): Promise<PlanStatus> {
  const summary = { ...((record.summary as object | null) ?? {}), outcome };
  // a follow-up drain carries the goal on (it supersedes this plan): its own end decides
  const handed = outcome.goal === 'drain' && outcome.followUp?.planId;
  const missed = !outcome.met && !handed && record.status === 'succeeded';
  const status: PlanStatus = missed ? 'failed' : record.status;
  const error = missed ? { code: 'GOAL_NOT_MET', message: describeMiss(outcome) } : record.error;
  await store.setPlanStatus(record.id, status, at, { summary, error });
  await store.appendEvent({ planId: record.id, moveIndex: null, type: 'plan.outcome', data: outcome, at });
  return status;
}

/** One line for operators: what is not as the plan intended. */
export function describeMiss(o: GoalOutcome): string {
  if (o.goal === 'balance') {
    const worse = o.cells.filter((c) => c.achieved > c.planned + BALANCE_TOLERANCE);
    return `imbalance achieved ${worse.map((c) => `${c.cell} ${c.achieved} (planned ${c.planned})`).join(', ')}`;
  }
  const parts = o.hosts
    .filter((h) => !h.empty)
    .map((h) => {
      const names = [...h.remaining.map((i) => i.name), ...h.arrived.map((i) => `${i.name} (arrived meanwhile)`)];
      return `${h.host} still holds ${names.join(', ')}`;
    });
  return `drained hosts not empty: ${parts.join('; ')}`;
}

/** The outcome stored with a plan record, if its goal was checked. */
export function outcomeOf(record: Pick<PlanRecord, 'summary'>): GoalOutcome | null {
  const o = (record.summary as { outcome?: GoalOutcome } | null)?.outcome;
  return o && (o.goal === 'drain' || o.goal === 'balance') ? o : null;
}

/** One line per outcome for terminals: `goal met: lab-a empty` / `goal not met: ...`. */
export function outcomeText(o: GoalOutcome): string {
  const follow = o.goal === 'drain' && o.followUp ? `; ${o.followUp.note}` : '';
  if (!o.met) return `goal not met: ${describeMiss(o)}${follow}`;
  if (o.goal === 'drain') return `goal met: ${o.hosts.map((h) => `${h.host} empty`).join(', ')}${follow}`;
  return `goal met: imbalance ${o.cells.map((c) => `${c.cell} ${c.achieved} (planned ${c.planned})`).join(', ')}`;
}
