/**
 * The campaign's step port over the plan lifecycle: planner options with the lifecycle's
 * maintenance rules (the campaign's own hosts may receive), drains stored with their maintenance
 * claim, executed in the background, followed along their re-plan chain.
 */
import type { PlanStatus } from '../../executor/store.js';
import type { PlanLifecycle } from '../orchestrate/lifecycle.js';
import type { StepPlanStatus, StepPort } from './ports.js';

const AS_STEP: Record<PlanStatus, StepPlanStatus> = {
  planned: 'running',
  running: 'running',
  cancelling: 'running',
  superseded: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

const NO_INVENTORY = { hosts: [], instances: [], serverGroups: [] };

export function lifecycleSteps(lifecycle: PlanLifecycle): StepPort {
  return {
    async plannerOptions(targets) {
      const request = { goal: 'drain' as const, hosts: [...targets], source: 'api' as const };
      return (await lifecycle.inputs(NO_INVENTORY, request, undefined, { ownHosts: targets })).options;
    },
    async save(plan, source, later) {
      const request = { goal: 'drain' as const, hosts: plan.target.hosts ?? [], later: [...later], source };
      const r = await lifecycle.save({ plan, request, frozenInstances: [] });
      if (r.ok) return { ok: true, planId: r.record.id };
      const held = r.heldBy.map((m) => `${m.host} (${m.reason}${m.planId ? `, plan ${m.planId}` : ''})`);
      return { ok: false, reason: `hosts held by another active plan: ${held.join(', ')}` };
    },
    start: (planId) => lifecycle.start(planId),
    status: async (planId) => {
      const s = (await lifecycle.latest(planId))?.status ?? null;
      return s === null ? 'failed' : AS_STEP[s];
    },
    cancel: async (planId) => {
      await lifecycle.cancel(planId);
    },
  };
}
