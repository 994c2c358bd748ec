/**
 * Checks a finished plan's goal against a fresh inventory of the hosts involved and records the
 * outcome (goal.ts). A drain that finds newcomers on its drained hosts hands them to a follow-up
 * drain, up to `maxFollowUps` per chain, and says so in the outcome; the follow-up's own end is
 * checked the same way. Called from the one place the lifecycle handles a plan's end.
 */
import type { Clock } from '../../executor/clock.js';
import type { ExecutorStore, PlanRecord, PlanStatus } from '../../executor/store.js';
import type { ExecutionResult } from '../../executor/index.js';
import type { Inventory } from '../../planner/index.js';
import type { Logger } from '../../executor/logger.js';
import { chainOf, goalOutcome, hostsInvolved, outcomeOf, recordOutcome } from './goal.js';

export interface GoalCheckDeps {
  store: ExecutorStore;
  clock: Clock;
  /** Configured hosts (name and cell), to know which to collect. */
  hosts: readonly { name: string; cell: string }[];
  /** A fresh inventory of the named hosts. */
  collect(only: readonly string[]): Promise<Inventory>;
  /**
   * Plans a follow-up drain of `hosts` after `planId` from `inventory` and starts it; resolves to
   * the new plan's id, or null when nothing could be planned. Absent: newcomers are only reported.
   */
  followUp?(planId: string, hosts: string[], inventory: Inventory): Promise<string | null>;
  /** Follow-up drains per chain. @default 2 */
  maxFollowUps?: number;
  log?: Logger;
}

/** Follow-ups already started in the chain ending with `record`. */
function followUpsIn(chain: PlanRecord[]): number {
  return chain.filter((r) => {
    const o = outcomeOf(r);
    return o?.goal === 'drain' && o.followUp?.planId;
  }).length;
}

/** Checks and records the goal of `record`'s plan (cancelled plans are not checked); returns its final status. */
export async function checkGoal(deps: GoalCheckDeps, record: PlanRecord): Promise<PlanStatus> {
  if (record.status !== 'succeeded' && record.status !== 'failed') return record.status;
  const chain = await chainOf(deps.store, record.id);
  const plan = record.plan;
  const inventory = await deps.collect(hostsInvolved(plan, [...deps.hosts]));
  const threshold = plan.goal === 'balance' ? (record as { request?: { threshold?: number } }).request?.threshold : 0;
  const outcome = goalOutcome(
    chain.map((r) => r.plan),
    inventory,
    deps.clock.now(),
    threshold,
  );
  const newcomers = outcome.goal === 'drain' ? outcome.hosts.flatMap((h) => h.arrived.map((i) => i.id)) : [];
  if (outcome.goal === 'drain' && newcomers.length > 0) {
    const limit = deps.maxFollowUps ?? 2;
    const used = followUpsIn(chain);
    let planId: string | null = null;
    let note: string;
    if (!deps.followUp) note = 'newcomers found; no follow-up drain is available here';
    else if (used >= limit) note = `newcomers found; the limit of ${limit} follow-up drain(s) is reached`;
    else {
      planId = await deps.followUp(record.id, plan.target.hosts ?? [], inventory);
      note = planId
        ? `${newcomers.length} newcomer(s) found: follow-up drain ${planId} (${used + 1} of at most ${limit})`
        : 'newcomers found; the follow-up drain could not be planned';
    }
    outcome.followUp = { planId, instances: newcomers, note };
  }
  const latest = (await deps.store.getPlan(record.id)) ?? record;
  const status = await recordOutcome(deps.store, latest, outcome, deps.clock.now());
  deps.log?.info({ planId: record.id, goal: outcome.goal, met: outcome.met, status }, 'plan goal checked');
  return status;
}

export interface GoalEndDeps extends GoalCheckDeps {
  /** Executes a stored plan (a follow-up drain) to its end, its own end handled the same way. */
  execute(planId: string): Promise<ExecutionResult>;
}

/**
 * The handler of an execution's end: checks the goal of its final plan; when a follow-up drain
 * took over newcomers, runs it and returns its end, so the result is the end of the whole chain.
 * A goal that cannot be checked (the inventory cannot be collected) leaves the plan as it ended.
 */
export function goalOnEnd(deps: GoalEndDeps): (result: ExecutionResult) => Promise<ExecutionResult> {
  return async (result) => {
    const record = await deps.store.getPlan(result.finalPlanId);
    if (!record) return result;
    let status: PlanStatus;
    try {
      status = await checkGoal(deps, record);
    } catch (err) {
      deps.log?.warn({ err, planId: record.id }, 'goal not checked: collecting the inventory failed');
      return result;
    }
    const next = (await deps.store.getPlan(record.id))?.supersededBy;
    if (next) return { ...(await deps.execute(next)), planId: result.planId };
    return { ...result, status: status as ExecutionResult['status'] };
  };
}
