/**
 * Asking a stored plan to stop, the one implementation (the executor running it, or any other
 * process: the service, `rebalancer cancel`). Cancelling an old id cancels the plan that
 * superseded it. A plan no executor has started ends `cancelled` at once; a running one is
 * marked `cancelling` and its executor (in this process or another, which polls the status)
 * starts no further move.
 */
import { latestOfChain } from './chain.js';
import type { Clock } from './clock.js';
import { ExecutorError } from './errors.js';
import type { CancelMode } from './options.js';
import { EXECUTING_PLAN_STATUSES, type ExecutorStore, type PlanRecord, type PlanStatus } from './store.js';

export interface CancelRequest {
  /** The plan of the chain that was cancelled (the newest one). */
  record: PlanRecord;
  /** Its status before. */
  from: PlanStatus;
  /** Its status now: `cancelled`, `cancelling`, or the final status when it had already ended. */
  status: PlanStatus;
}

/**
 * Each status change is conditional on the status it was decided from (`changePlanStatus`), so an
 * executor starting or finishing the plan at the same moment is never overwritten: a plan that
 * started meanwhile is asked to stop instead, one that ended meanwhile keeps its final status.
 */
export async function requestCancel(
  store: ExecutorStore,
  clock: Pick<Clock, 'now'>,
  planId: string,
  mode: CancelMode,
  startedHere: (planId: string) => boolean,
): Promise<CancelRequest> {
  const rec = await latestOfChain(store, planId);
  if (!rec) throw new ExecutorError('PLAN_NOT_FOUND', `no plan with id "${planId}"`);
  const from = rec.status;
  let now = from;
  if (from === 'planned' && !startedHere(rec.id)) {
    const was = await store.changePlanStatus(rec.id, ['planned'], 'cancelled', clock.now());
    if (was === 'planned') return { record: rec, from, status: 'cancelled' };
    now = was ?? from;
  }
  if (!EXECUTING_PLAN_STATUSES.includes(now)) return { record: rec, from, status: now };
  const was = await store.changePlanStatus(rec.id, EXECUTING_PLAN_STATUSES, 'cancelling', clock.now());
  if (!was || !EXECUTING_PLAN_STATUSES.includes(was)) return { record: rec, from, status: was ?? now };
  await store.appendEvent({ planId: rec.id, moveIndex: null, type: 'plan.cancel', data: { mode }, at: clock.now() });
  return { record: rec, from, status: 'cancelling' };
}
