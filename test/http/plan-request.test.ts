/**
 * The request is stored with the plan: GET /plans/:id shows it, and a re-plan after a failed
 * move starts from it (same cell and threshold, what is left of the move budget).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type { Inventory } from '../../planner/index.js';
import { demoRegion } from '../../src/demo/region.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { createPlanLifecycle, type PlanLifecycle } from '../../src/orchestrate/lifecycle.js';
import { startHarness, type Harness } from './support/harness.js';

describe('POST /plans/balance keeps its request', () => {
  let t: Harness;
  let lifecycle: PlanLifecycle;
  const inventory = demoRegion({ seed: 5, cells: 2, size: 16 });
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock, setupMs: 100 });
  const collect = (): Promise<Inventory> =>
    collectInventory({ hypervisor: cluster, hosts, clock, sampleMs: 0, serverGroups: inventory.serverGroups });
  beforeAll(async () => {
    t = await startHarness({
      inventorySource: () => collect(),
      clock,
      lifecycle: (store, config) =>
        (lifecycle = createPlanLifecycle({
          store,
          clock,
          collect,
          cluster: { hypervisor: cluster, hosts },
          settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
          executorOptions: { retries: { backoffMs: 10 } },
        })),
    });
  });
  afterAll(() => t.close());

  it('shows request.threshold and request.maxMoves, and a re-plan keeps them', async () => {
    const created = await t.call('POST', '/plans/balance?cell=cell1&threshold=0.05&maxMoves=3');
    expect(created.status).toBe(201);
    const expected = { goal: 'balance', cells: ['cell1'], threshold: 0.05, maxMoves: 3, source: 'api' };
    expect(created.body.request).toEqual(expected);
    const shown = await t.call('GET', `/plans/${created.body.id}`);
    expect(shown.body.request).toEqual(expected);
    const moves = created.body.moves as { instance: string; wave: number }[];
    expect(moves.length).toBeGreaterThanOrEqual(1);
    // every first-wave move fails once: nothing is made, the re-plan has the whole budget
    for (const m of moves.filter((x) => x.wave === 0)) cluster.faults.failMigration(m.instance, { times: 1 });
    expect((await t.call('POST', `/plans/${created.body.id}/execute`)).status).toBe(202);
    await lifecycle.idle();
    const chain = await lifecycle.chain(created.body.id);
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const replanned = await t.call('GET', `/plans/${chain[1].id}`);
    expect(replanned.body).toMatchObject({ supersedes: created.body.id, request: expected });
    expect(replanned.body.moves.length).toBeLessThanOrEqual(3);
  });
});
