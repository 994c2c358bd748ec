import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { openStore } from '../../src/store/sqlite.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 3, cells: 1, size: 10 });

describe('racing drains', () => {
  let t: Harness;
  // The delay lets both requests pass the maintenance pre-check before either claims the host,
  // so only the store's atomic claim can settle the race.
  beforeAll(async () => {
    t = await startHarness({
      inventorySource: async () => {
        await sleep(30);
        return structuredClone(inventory);
      },
    });
  });
  afterAll(() => t.close());

  it.each([0, 1, 2])('two concurrent drains of one host: exactly one 201, one 409 (round %i)', async (round) => {
    const host = inventory.hosts[round].name;
    const replies = await Promise.all([
      t.call('POST', `/plans/drain?host=${host}`),
      t.call('POST', `/plans/drain?host=${host}`),
    ]);
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    const winner = replies.find((r) => r.status === 201)!;
    const loser = replies.find((r) => r.status === 409)!;
    expect(loser.body.error.code).toBe('HOST_IN_MAINTENANCE');
    expect(loser.body.error.details[0].planId).toBe(winner.body.id);
    const plans = (await t.store.listPlans()).filter((p) => p.plan.target.hosts?.includes(host));
    expect(plans.map((p) => p.id)).toEqual([winner.body.id]);
  });
});

describe('racing drains settled by the store alone', () => {
  let t: Harness;
  // A store whose maintenance list is always empty: the pre-check never sees the other claim,
  // as when another process claimed the host between the check and the claim.
  beforeAll(async () => {
    t = await startHarness({
      inventorySource: async () => {
        await sleep(10);
        return structuredClone(inventory);
      },
      store: (path) => ({ ...openStore(path), listMaintenance: async () => [] }),
    });
  });
  afterAll(() => t.close());

  it('the atomic claim lets exactly one drain store a plan', async () => {
    const host = inventory.hosts[4].name;
    const replies = await Promise.all([1, 2, 3].map(() => t.call('POST', `/plans/drain?host=${host}`)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const winner = replies.find((r) => r.status === 201)!;
    for (const r of replies.filter((x) => x.status === 409))
      expect(r.body.error.details[0].planId).toBe(winner.body.id);
    expect((await t.store.listPlans()).map((p) => p.id)).toEqual([winner.body.id]);
  });
});
