/**
 * The campaign view's ETA: what is left of each step at the configured executor limits (the one
 * duration estimate, src/orchestrate/duration.ts) plus the configured patch time per step.
 */
import { describe, expect, it } from 'vitest';
import { planMaintenance } from '../../planner/index.js';
import { campaignView } from '../../src/maintenance/view.js';
import { DEFAULT_EXECUTION_LIMITS, type ExecutionLimits } from '../../src/orchestrate/duration.js';
import { openStore } from '../../src/store/sqlite.js';
import { simInventory, simVm } from '../support/sim-world.js';

const HOSTS = ['A', 'B', 'C', 'D'];
const inventory = simInventory(
  HOSTS,
  [0, 1, 2, 3, 4, 5, 6, 7].map((k) => simVm(k, HOSTS[k % 4], 2048 * (1 + (k % 3)))),
);

const serial: ExecutionLimits = {
  concurrency: { global: 1, perHostOutbound: 1, perHostInbound: 1 },
  bandwidthMiBps: 0,
  migrationOverheadSeconds: 0,
};

describe('campaign view ETA', async () => {
  const store = openStore(':memory:');
  const forecast = planMaintenance(inventory, { cells: ['c1'], maxUnavailable: 1 });
  const at = 1_700_000_000_000;
  await store.createCampaign({
    id: 'c-1',
    request: { cells: ['c1'], maxUnavailable: 1, source: 'api' },
    forecast,
    status: 'planned',
    at,
  });
  const record = (await store.getCampaign('c-1'))!;
  const moves = forecast.steps.flatMap((s) => s.moves);
  const eta = async (limits: ExecutionLimits, patchMinutes = 0) =>
    (await campaignView(store, record, at, { limits, patchMinutes })).eta!.seconds;

  it('uses the configured limits: one move at a time is the sum of the moves', async () => {
    expect(moves.length).toBeGreaterThan(3);
    const sum = moves.reduce((t, m) => t + m.estimatedSeconds, 0);
    expect(await eta(serial)).toBe(Math.round(sum));
    expect(await eta({ ...DEFAULT_EXECUTION_LIMITS, migrationOverheadSeconds: 0 })).toBeLessThan(await eta(serial));
  });

  it('adds the per-migration overhead, the bandwidth cap and the patch time of every step', async () => {
    const base = await eta(serial);
    expect(await eta({ ...serial, migrationOverheadSeconds: 30 })).toBe(base + 30 * moves.length);
    const gib = moves.reduce((t, m) => t + m.gib, 0);
    expect(await eta({ ...serial, bandwidthMiBps: 1 })).toBe(Math.round(gib * 1024));
    expect(await eta(serial, 10)).toBe(base + 600 * forecast.steps.length);
  });

  it('counts only what is left: a step whose hosts are back adds nothing', async () => {
    const full = await eta(serial, 10);
    for (const h of forecast.steps[0].hosts) await store.updateCampaignHost('c-1', h, { state: 'done' }, at);
    const stepSeconds = forecast.steps[0].moves.reduce((t, m) => t + m.estimatedSeconds, 0) + 600;
    expect(await eta(serial, 10)).toBe(Math.round(full - stepSeconds));
  });
});
