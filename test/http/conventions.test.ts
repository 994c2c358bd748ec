import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { startHarness, type Harness } from './support/harness.js';

describe('HTTP conventions', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory: demoRegion({ seed: 2, cells: 1, size: 6 }) })));
  afterAll(() => t.close());

  it.each([
    ['DELETE', '/plans/some-id', 'GET, HEAD'],
    ['PUT', '/plans', 'GET, HEAD'],
    ['DELETE', '/plans/drain', 'POST, GET, HEAD'],
    ['GET', '/plans/some-id/execute', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PATCH', '/hosts/cell1-host01', 'GET, HEAD'],
  ])('%s %s: 405 with Allow: %s, nothing changed', async (method, path, allow) => {
    const r = await t.call(method, path, { token: method === 'POST' && path === '/healthz' ? null : undefined });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe(allow);
    expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(await t.store.listPlans()).toEqual([]);
  });

  it('an unknown path stays 404', async () => {
    const r = await t.call('DELETE', '/nothing/here');
    expect(r.status).toBe(404);
  });
});
