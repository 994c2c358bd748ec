/**
 * The campaign's step port over the plan lifecycle: the forecast and each step's drain planned by
 * it (its maintenance rules, verified), drains stored with their maintenance claim, executed in the
 * background, followed along their re-plan chain.
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

export function lifecycleSteps(lifecycle: PlanLifecycle): StepPort {
  return {
    forecast: (inventory, request) => lifecycle.planCampaign(inventory, request),
    planStep: (inventory, campaign, step) => lifecycle.planCampaignStep(inventory, campaign, step),
    async save(step) {
      const r = await lifecycle.save(step);
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
