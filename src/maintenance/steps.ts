/**
 * The campaign's step port over the service's plan orchestration: planner options with the
 * maintenance rules of plan-drain.ts, drains stored with their maintenance claim, executed by the
 * runner, followed along their re-plan chain.
 */
import type { ExecutorStore, PlanStatus } from '../../executor/store.js';
import type { Orchestrator } from '../orchestrate/orchestrator.js';
import { maintenanceHosts, type PlanningSettings } from '../orchestrate/plan-drain.js';
import type { StepPlanStatus, StepPort } from './ports.js';

function latest(store: ExecutorStore, planId: string): PlanStatus | null {
  let record = store.getPlan(planId);
  for (let guard = 0; record?.supersededBy && guard < 1000; guard++) record = store.getPlan(record.supersededBy);
  return record?.status ?? null;
}

const AS_STEP: Record<PlanStatus, StepPlanStatus> = {
  planned: 'running',
  running: 'running',
  cancelling: 'running',
  superseded: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function orchestratedSteps(orch: Orchestrator, store: ExecutorStore, planner: PlanningSettings = {}): StepPort {
  return {
    plannerOptions(targets) {
      const own = new Set(targets);
      return {
        avoidHosts: maintenanceHosts(store).filter((h) => !own.has(h)),
        timeoutPerGiBSeconds: planner.timeoutPerGiBSeconds,
        method: planner.method,
        seed: 1,
      };
    },
    save(plan, source) {
      const r = orch.storePlan(plan, source);
      if (r.ok) return { ok: true, planId: r.record.id };
      const held = r.heldBy.map((m) => `${m.host} (${m.reason}${m.planId ? `, plan ${m.planId}` : ''})`);
      return { ok: false, reason: `hosts held by another active plan: ${held.join(', ')}` };
    },
    start: (planId) => orch.runner.start(planId),
    status: (planId) => {
      const s = latest(store, planId);
      return s === null ? 'failed' : AS_STEP[s];
    },
    cancel: (planId) => void orch.runner.cancel(planId),
  };
}
