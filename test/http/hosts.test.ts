import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 9, cells: 2, size: 12 });
const [a, b] = inventory.hosts.map((h) => h.name);

describe('hosts and maintenance', () => {
  let t: Harness;
  beforeAll(async () => (t = await startHarness({ inventory })));
  afterAll(() => t.close());

  it('GET /hosts lists every host with cell, utilisation and maintenance flag', async () => {
    const r = await t.call('GET', '/hosts');
    expect(r.status).toBe(200);
    expect(r.body.hosts.map((h: { name: string }) => h.name)).toEqual(inventory.hosts.map((h) => h.name));
    const first = r.body.hosts[0];
    const mem = inventory.instances.filter((i) => i.host === a).reduce((s, i) => s + i.memoryMb, 0);
    const h = inventory.hosts[0];
    expect(first.utilisation.memAlloc).toBeCloseTo(mem / (h.memoryMb - h.reservedMemoryMb), 2);
    expect(first).toMatchObject({
      cell: h.cell,
      maintenance: null,
      instances: inventory.instances.filter((i) => i.host === a).length,
    });
  });

  it('GET /hosts?cell= filters by cell', async () => {
    const r = await t.call('GET', '/hosts?cell=cell2');
    expect(r.body.hosts.length).toBe(inventory.hosts.filter((h) => h.cell === 'cell2').length);
    expect(r.body.hosts.every((h: { cell: string }) => h.cell === 'cell2')).toBe(true);
  });

  it('GET /hosts/:name shows the host and its instances; 404 for an unknown host', async () => {
    const r = await t.call('GET', `/hosts/${a}`);
    expect(r.status).toBe(200);
    expect(r.body.instanceList.length).toBe(inventory.instances.filter((i) => i.host === a).length);
    const missing = await t.call('GET', '/hosts/HostZ');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'UNKNOWN_HOST', message: 'unknown host "HostZ"' });
  });

  it('a drained host stays in maintenance and is never a target until enabled=false; drained again once its drain ended', async () => {
    const third = inventory.hosts.filter((h) => h.cell === inventory.hosts[0].cell)[2].name;
    const targets = async () =>
      (await t.call('POST', `/plans/drain?host=${third}&dryRun=true`)).body.moves.map((m: { to: string }) => m.to);
    const drain = await t.call('POST', `/plans/drain?host=${a}`);
    expect(drain.status).toBe(201);
    expect((await t.call('GET', `/hosts/${a}`)).body.maintenance).toMatchObject({
      reason: 'drain',
      planId: drain.body.id,
    });
    // being drained (planned): a second drain is refused, naming the plan
    const refused = await t.call('POST', `/plans/drain?host=${a}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'HOST_IN_MAINTENANCE',
      details: [{ host: a, planId: drain.body.id }],
    });
    await t.store.setPlanStatus(drain.body.id, 'succeeded', Date.now());
    expect(await targets()).not.toContain(a);
    // the drain ended: draining again is allowed and the new plan takes the claim
    const again = await t.call('POST', `/plans/drain?host=${a}`);
    expect(again.status).toBe(201);
    expect((await t.store.listMaintenance()).filter((m) => m.host === a).map((m) => m.planId)).toEqual([again.body.id]);
    await t.store.setPlanStatus(again.body.id, 'cancelled', Date.now());
    expect(await targets()).not.toContain(a);
    const off = await t.call('POST', `/hosts/${a}/maintenance?enabled=false`);
    expect(off.status).toBe(200);
    expect(off.body.maintenance).toBeNull();
    expect((await t.store.listMaintenance()).map((m) => m.host)).not.toContain(a);
  });

  it('refuses to end maintenance while its drain is running (409)', async () => {
    const drain = await t.call('POST', `/plans/drain?host=${b}`);
    await t.store.setPlanStatus(drain.body.id, 'running', Date.now());
    const r = await t.call('POST', `/hosts/${b}/maintenance?enabled=false`);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'PLAN_RUNNING' });
    expect(r.body.error.details[0].planId).toBe(drain.body.id);
    expect((await t.store.listMaintenance()).map((m) => m.host)).toContain(b);
  });

  it('manual maintenance keeps plans off the host; draining the host takes the claim over', async () => {
    const host = inventory.hosts.filter((h) => h.cell === 'cell2')[0].name;
    const on = await t.call('POST', `/hosts/${host}/maintenance`, { body: { enabled: true, reason: 'firmware' } });
    expect(on.status).toBe(200);
    expect(on.body.maintenance).toMatchObject({ reason: 'firmware', planId: null });
    const other = inventory.hosts.filter((h) => h.cell === 'cell2')[1].name;
    const plan = await t.call('POST', `/plans/drain?host=${other}&dryRun=true`);
    expect(plan.body.moves.length).toBeGreaterThan(0);
    expect(plan.body.moves.map((m: { to: string }) => m.to)).not.toContain(host);
    const balance = await t.call('POST', '/plans/balance?cell=cell2&dryRun=true&threshold=0');
    expect(balance.body.moves.map((m: { to: string }) => m.to)).not.toContain(host);
    const drain = await t.call('POST', `/plans/drain?host=${host}`);
    expect(drain.status).toBe(201);
    expect((await t.store.listMaintenance()).filter((m) => m.host === host)).toEqual([
      expect.objectContaining({ reason: 'drain', planId: drain.body.id }),
    ]);
  });

  it.each([
    ['no enabled', '', ['enabled']],
    ['a bad enabled', '?enabled=yes', ['enabled']],
    ['an unknown parameter', '?enabled=true&host=x', ['host']],
  ])('POST /hosts/:name/maintenance rejects %s with 400', async (_n, query, paths) => {
    const r = await t.call('POST', `/hosts/${a}/maintenance${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(paths);
  });

  it('POST /hosts/:name/maintenance answers 404 for a host not in the inventory', async () => {
    const r = await t.call('POST', '/hosts/qemu+ssh:%2F%2Fevil/maintenance?enabled=true');
    expect(r.status).toBe(404);
    expect((await t.store.listMaintenance()).map((m) => m.host)).not.toContain('qemu+ssh://evil');
  });
});
