import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type { Inventory } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import pino from 'pino';
import { nightlyRequest } from '../../src/app.js';
import { demoRegion } from '../../src/demo/region.js';
import { createNightly, executeWithinWindow, NightlyConfigSchema } from '../../src/nightly/index.js';
import { createPlanLifecycle, type PlanLifecycle, type Planned } from '../../src/orchestrate/lifecycle.js';
import { openStore } from '../../src/store/sqlite.js';
import { simCluster, simInventory, simLifecycle, simVm, tempStorePath } from '../support/sim-world.js';

const vm = (k: number) => simVm(k, 'A', 4096);

function world() {
  const sim = simCluster(simInventory(['A', 'B', 'C'], [1, 2, 3].map(vm)));
  const store = openStore(tempStorePath('rb-orch-'));
  const orch = simLifecycle(sim, store, { executorOptions: { retries: { backoffMs: 10 } } });
  return { cluster: sim.cluster, store, collect: sim.collect, orch };
}

const drainOf = async (orch: PlanLifecycle, inventory: Inventory, hosts: string[]) =>
  orch.plan(inventory, { goal: 'drain', hosts, source: 'cli' });

describe('plan lifecycle over a simulated cluster', () => {
  it('drains a host; a failed move is re-planned from a fresh inventory to another host', async () => {
    const { cluster, store, collect, orch } = world();
    const planned = await drainOf(orch, await collect(), ['A']);
    const plan = planned.plan;
    expect(plan.feasible).toBe(true);
    const first = plan.moves[0];
    cluster.faults.failMigration((req) => req.domainId === first.instance && req.to === first.to, { times: 5 });
    const stored = await orch.save(planned);
    if (!stored.ok) throw new Error('claim refused');
    const result = await orch.execute(stored.record.id);
    expect(result.status).toBe('succeeded');
    expect(await store.getPlan(stored.record.id)).toMatchObject({
      status: 'superseded',
      supersededBy: result.finalPlanId,
    });
    const retried = (await store.listMoves(result.finalPlanId)).find((m) => m.move.instance === first.instance);
    expect(retried?.move.to).not.toBe(first.to);
    expect(cluster.whereIs(first.instance)?.host).toBe(retried?.move.to);
    for (const k of [1, 2, 3]) expect(cluster.whereIs(vm(k).id)?.host).not.toBe('A');
    expect((await store.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([['A', result.finalPlanId]]);
  });

  it("keeps a campaign step's own hosts with its stored request: its re-plans may still fill them", async () => {
    const { store, collect, orch } = world();
    expect((await orch.setMaintenance('B', true, 'patched first')).ok).toBe(true);
    const inventory = await collect();
    // the campaign names A and B (B already in maintenance); its step drains A
    const planned = await orch.planCampaignStep(inventory, { hosts: ['A', 'B'], source: 'api' }, { hosts: ['A'] });
    expect(planned.request).toMatchObject({ goal: 'drain', hosts: ['A'], ownHosts: ['A', 'B'] });
    const stored = await orch.save(planned);
    if (!stored.ok) throw new Error('claim refused');
    const request = (await store.getPlan(stored.record.id))!.request!;
    expect(request.ownHosts).toEqual(['A', 'B']);
    // what a re-plan of the stored request plans with (today's maintenance: A and B): B may receive
    const replan = await orch.inputs(inventory, request);
    expect(replan.options.avoidHosts).not.toContain('B');
    // a drain of A without a campaign avoids B
    const plain = await orch.inputs(inventory, { goal: 'drain', hosts: ['A'], source: 'api' });
    expect(plain.options.avoidHosts).toContain('B');
  });

  it('never plans onto hosts in maintenance', async () => {
    const { store, collect, orch } = world();
    await store.claimMaintenance(['B'], { reason: 'manual', planId: null, at: 0 });
    const { plan } = await drainOf(orch, await collect(), ['A']);
    expect(new Set(plan.moves.map((m) => m.to))).toEqual(new Set(['C']));
  });

  it('takes over maintenance left by manual claims or ended plans, refuses one held by a live plan', async () => {
    const { store, collect, orch } = world();
    const plan = await drainOf(orch, await collect(), ['A']);
    await store.claimMaintenance(['A'], { reason: 'manual', planId: null, at: 0 });
    const one = await orch.save(plan);
    expect(one.ok).toBe(true);
    const refused = await orch.save(plan);
    expect(refused).toMatchObject({ ok: false, heldBy: [{ host: 'A', planId: one.ok ? one.record.id : '' }] });
    if (one.ok) await store.setPlanStatus(one.record.id, 'failed', 1);
    const three = await orch.save(plan);
    expect(three.ok).toBe(true);
    expect((await store.listMaintenance()).map((m) => m.planId)).toEqual([three.ok ? three.record.id : '']);
  });

  it('runs stored plans in the background and reports when idle', async () => {
    const { store, collect, orch } = world();
    const stored = await orch.save(await drainOf(orch, await collect(), ['A']));
    if (!stored.ok) throw new Error('claim refused');
    await orch.start(stored.record.id);
    expect(orch.running()).toEqual([stored.record.id]);
    expect(await orch.cancel('no-such-plan')).toEqual({ ok: false, reason: 'not-found' });
    await orch.idle();
    expect(orch.running()).toEqual([]);
    expect((await store.getPlan(stored.record.id))?.status).toBe('succeeded');
  });
});

describe('re-planning a nightly balance whose move fails', () => {
  it("re-plans from the stored request: remaining move budget, same threshold, today's freezes", async () => {
    const inventory = demoRegion({ seed: 5, cells: 1, size: 16 });
    const clock = createVirtualClock({ start: Date.parse('2026-01-10T02:00:00Z'), autoAdvance: true });
    const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock, setupMs: 100 });
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'rb-nightly-')), 's.sqlite'));
    const collect = (): Promise<Inventory> =>
      collectInventory({
        hypervisor: cluster,
        hosts,
        clock,
        sampleMs: 0,
        dirtyRateMs: 0,
        serverGroups: inventory.serverGroups,
      });
    const lifecycle = createPlanLifecycle({
      cluster: { hypervisor: cluster, hosts },
      store,
      clock,
      collect,
      settings: { planner: { method: 'heuristic' }, cooldownHours: 24 },
      executorOptions: { retries: { backoffMs: 10 } },
    });
    const config = NightlyConfigSchema.parse({ mode: 'execute', threshold: 0.05, maxMovesPerNight: 5 });
    // the failing move: the last of the first wave the nightly plan will run
    // (the run starts at 02:00; the window ends at 05:00)
    const asked = nightlyRequest({ cells: [], threshold: 0.05, maxMoves: 5, windowSeconds: 3 * 3600 }, 4);
    const preview = await lifecycle.plan(await collect(), asked);
    const firstWave = preview.plan.moves.filter((m) => m.wave === 0);
    expect(preview.plan.moves.length).toBeGreaterThanOrEqual(2);
    const failing = firstWave[firstWave.length - 1];
    cluster.faults.failMigration(failing.instance, { times: 1 });
    const nightly = createNightly({
      cron: { schedule: () => ({ stop() {} }) },
      store,
      clock,
      log: pino({ level: 'silent' }),
      config,
      isDrainRunning: async () => await lifecycle.drainActive(),
      planBalance: async (req) => lifecycle.plan(await collect(), nightlyRequest(req, 4)),
      storePlan: async (planned) => {
        const stored = await lifecycle.save(planned as Planned);
        if (!stored.ok) throw new Error('refused');
        return stored.record.id;
      },
      executePlan: executeWithinWindow(lifecycle, clock),
    });
    const result = await nightly.runOnce(clock.now());
    expect(result).toMatchObject({ action: 'executed' });
    const planId = (result as { planId: string }).planId;
    const [first, second] = await lifecycle.chain(planId);
    expect(first.plan.moves).toEqual(preview.plan.moves);
    expect(first.request).toEqual(asked);
    expect(first.request).toMatchObject({ goal: 'balance', threshold: 0.05, maxMoves: 5, source: 'nightly' });
    const made = (await store.listMoves(first.id)).filter((m) => m.state === 'succeeded');
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect((await store.listMoves(first.id)).find((m) => m.move.instance === failing.instance)?.state).toBe('failed');
    expect(second).toBeDefined();
    expect(second.request).toEqual({ ...first.request, maxMoves: 5 - made.length });
    expect(second.plan.moves.length).toBeLessThanOrEqual(5 - made.length);
    // today's freezes: what just moved is in its cool-down and stays where it landed
    const moved = new Set(made.map((m) => m.move.instance));
    expect(second.plan.moves.filter((m) => moved.has(m.instance))).toEqual([]);
    await store.close();
  });
});
