/** GET /plans/:id serves plans that are not executing from a cache keyed by status and update time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 4, cells: 1, size: 8 });

describe('GET /plans/:id view cache', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory })));
  afterAll(() => t.close());

  it('answers the same body and ETag while the plan is unchanged, new content after a change', async () => {
    const created = await t.call('POST', `/plans/drain?host=${inventory.hosts[0].name}`);
    const id = created.body.id as string;
    const one = await t.call('GET', `/plans/${id}`);
    const two = await t.call('GET', `/plans/${id}`);
    const etag = one.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    expect(two.headers.get('etag')).toBe(etag);
    expect(two.body).toEqual(one.body);
    await t.store.setPlanStatus(id, 'cancelled', Date.now() + 1);
    const three = await t.call('GET', `/plans/${id}`);
    expect(three.body.status).toBe('cancelled');
    expect(three.headers.get('etag')).not.toBe(etag);
    expect(await t.store.getPlanVersion(id)).toEqual({ status: 'cancelled', updatedAt: expect.any(Number) });
  });

  it('still answers 404 for an unknown plan and never caches a running plan', async () => {
    expect((await t.call('GET', '/plans/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect(await t.store.getPlanVersion('nope')).toBeNull();
    const created = await t.call('POST', `/plans/drain?host=${inventory.hosts[1].name}`);
    const id = created.body.id as string;
    await t.store.setPlanStatus(id, 'running', Date.now());
    await t.call('GET', `/plans/${id}`);
    await t.store.updateMove(id, 0, { state: 'migrating' }, Date.now());
    const after = await t.call('GET', `/plans/${id}`);
    expect(after.body.moves[0].state).toBe('migrating');
  });
});
