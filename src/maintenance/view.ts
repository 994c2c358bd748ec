/**
 * The view of a campaign that GET /maintenance/:id and the CLI show: steps in order, each host's
 * state, the step's moves (the stored drain's moves with their states once the step has started,
 * the forecast before), and an ETA from the configured executor limits and patch time: what is
 * left of each step (a started drain's moves not yet ended, the patch unless its hosts are back).
 */
import type { ExecutorStore } from '../../executor/store.js';
import type { Move } from '../../planner/index.js';
import { latestOfChain } from '../../executor/chain.js';
import { TERMINAL_MOVE_STATES } from '../../executor/store.js';
import { campaignStepSeconds, type CampaignTiming } from '../orchestrate/duration.js';
import type { CampaignSummaryView, CampaignView } from '../http/contract/schemas.js';
import type { CampaignHostRecord, CampaignRecord, CampaignStore } from './types.js';

type Reader = Pick<ExecutorStore, 'getPlan' | 'listMoves'> & Pick<CampaignStore, 'listCampaignHosts'>;

const iso = (ms: number) => new Date(ms).toISOString();

function moveView(m: Move, state: string) {
  return { instance: m.instance, name: m.name, from: m.from, to: m.to, mode: m.mode, wave: m.wave, gib: m.gib, state };
}

/** States after which a host's drain is over (what is left of its step is the patch, or nothing). */
const DRAINED: readonly CampaignHostRecord['state'][] = ['awaiting_patch', 'returning', 'done'];

export async function campaignView(
  store: Reader,
  c: CampaignRecord,
  now: number,
  timing: CampaignTiming,
): Promise<CampaignView> {
  const hosts = await store.listCampaignHosts(c.id);
  const drains = await Promise.all(
    c.forecast.steps.map(async (_, k) => {
      const planId = hosts.find((h) => h.step === k && h.planId)?.planId ?? null;
      const plan = planId ? await latestOfChain(store, planId) : null;
      return { plan, stored: plan ? await store.listMoves(plan.id) : null };
    }),
  );
  let remaining = 0;
  const steps = c.forecast.steps.map((forecast, k) => {
    const mine = hosts.filter((h) => h.step === k);
    const { plan, stored } = drains[k];
    const moves = stored
      ? stored.map((m) => moveView(m.move, m.state))
      : forecast.moves.map((m) => moveView(m, 'forecast'));
    const drained = mine.length > 0 && mine.every((h) => DRAINED.includes(h.state));
    const left = drained
      ? []
      : stored
        ? stored.filter((m) => !TERMINAL_MOVE_STATES.includes(m.state)).map((m) => m.move)
        : forecast.moves;
    const patching = mine.filter((h) => h.state !== 'returning' && h.state !== 'done').map((h) => h.host);
    remaining += campaignStepSeconds({ moves: left, hosts: patching }, timing.limits, timing.patchMinutes);
    return {
      index: k,
      hosts: mine.map((h) => ({ host: h.host, state: h.state, since: iso(h.since), reason: h.reason })),
      planId: plan?.id ?? null,
      moves,
      unplaced: forecast.unplaced,
      gibToCopy: forecast.gibToCopy,
    };
  });
  const active = c.status === 'running' || c.status === 'planned' || c.status === 'paused';
  return {
    id: c.id,
    status: c.status,
    reason: c.reason,
    request: c.request,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    feasible: c.forecast.feasible,
    metrics: c.forecast.metrics,
    hosts: Object.fromEntries(hosts.map((h) => [h.host, h.state])),
    steps,
    unplaced: c.forecast.unplaced,
    eta: active ? { seconds: Math.round(remaining), at: iso(now + remaining * 1000) } : null,
  };
}

export function campaignSummary(c: CampaignRecord): CampaignSummaryView {
  return {
    id: c.id,
    status: c.status,
    reason: c.reason,
    hosts: c.forecast.target.hosts,
    maxUnavailable: c.forecast.target.maxUnavailable,
    steps: c.forecast.steps.length,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
