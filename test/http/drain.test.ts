import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { recordingRunner, startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 11, cells: 2, size: 16 });
const [h1, h2, h3, h4] = inventory.hosts.filter((h) => h.cell === 'cell1').map((h) => h.name);
const otherCellHost = inventory.hosts.find((h) => h.cell === 'cell2')!.name;

describe('POST /plans/drain', () => {
  let t: Harness;
  const runner = recordingRunner();
  beforeAll(async () => (t = await startHarness({ inventory, runner })));
  afterAll(() => t.close());

  it('stores a plan for the host, puts it in maintenance and answers 201 with the plan and links', async () => {
    const r = await t.call('POST', `/plans/drain?host=${h1}`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ goal: 'drain', target: { hosts: [h1] }, status: 'planned', source: 'api' });
    const onHost = inventory.instances.filter((i) => i.host === h1).length;
    expect(r.body.moves.length + r.body.unplaced.length).toBe(onHost);
    expect(r.body.moves.every((m: { from: string; state: string }) => m.from === h1 && m.state === 'pending')).toBe(
      true,
    );
    expect(r.body.links.self).toBe(`/plans/${r.body.id}`);
    expect(r.headers.get('location')).toBe(`/plans/${r.body.id}`);
    expect(await t.store.listMaintenance()).toEqual([
      expect.objectContaining({ host: h1, planId: r.body.id, reason: 'drain' }),
    ]);
    expect(runner.started).not.toContain(r.body.id);
  });

  it('refuses a second drain of a host in maintenance with 409 naming the holding plan', async () => {
    const first = (await t.store.listMaintenance()).find((m) => m.host === h1)!;
    const plansBefore = (await t.store.listPlans()).length;
    const r = await t.call('POST', `/plans/drain?host=${h1}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('HOST_IN_MAINTENANCE');
    expect(r.body.error.message).toContain(first.planId);
    expect(r.body.error.details[0]).toMatchObject({ path: 'host', host: h1, planId: first.planId });
    expect((await t.store.listPlans()).length).toBe(plansBefore);
  });

  it('never targets a host in maintenance', async () => {
    const r = await t.call('POST', `/plans/drain?host=${h2}`);
    expect(r.status).toBe(201);
    expect(r.body.moves.map((m: { to: string }) => m.to)).not.toContain(h1);
  });

  it('starts the plan at once with execute=true', async () => {
    const r = await t.call('POST', `/plans/drain?host=${h3}&execute=true`);
    expect(r.status).toBe(201);
    expect(runner.started).toContain(r.body.id);
  });

  it('accepts the parameters as a JSON body too', async () => {
    const host = inventory.hosts.filter((h) => h.cell === 'cell2')[1].name;
    const r = await t.call('POST', '/plans/drain', { body: { host: [host], dryRun: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, target: { hosts: [host] } });
  });

  it('dryRun=true plans without storing anything or claiming the host', async () => {
    const before = (await t.store.listPlans()).length;
    const r = await t.call('POST', `/plans/drain?host=${otherCellHost}&dryRun=true`);
    expect(r.status).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(r.body.goal).toBe('drain');
    expect((await t.store.listPlans()).length).toBe(before);
    expect((await t.store.listMaintenance()).map((m) => m.host)).not.toContain(otherCellHost);
  });

  it('answers 404 for an unknown host, suggesting near names, and changes nothing', async () => {
    const before = (await t.store.listPlans()).length;
    const r = await t.call('POST', `/plans/drain?host=${h1}x`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('UNKNOWN_HOST');
    expect(r.body.error.details[0].path).toBe('host');
    expect(r.body.error.details[0].message).toContain(`did you mean "${h1}"`);
    expect((await t.store.listPlans()).length).toBe(before);
  });

  it('suggests near names from every cell, not only the cells of the other hosts named', async () => {
    // h1 is in cell1; the misspelt host's near name is in cell2
    const r = await t.call('POST', `/plans/drain?host=${h1}&host=${otherCellHost}x`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('UNKNOWN_HOST');
    expect(r.body.error.details).toHaveLength(1);
    expect(r.body.error.details[0].message).toContain(`did you mean "${otherCellHost}"`);
  });

  it('plans a drain whose host lies in the cell given as a guard', async () => {
    const r = await t.call('POST', `/plans/drain?host=${h4}&cell=cell1&dryRun=true`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, target: { hosts: [h4] } });
  });

  it('answers 400 HOST_NOT_IN_CELL when a host is not in the cell given as a guard', async () => {
    const r = await t.call('POST', `/plans/drain?host=${otherCellHost}&cell=cell1`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('HOST_NOT_IN_CELL');
    expect(r.body.error.message).toContain(otherCellHost);
  });

  it.each([
    ['no host', '/plans/drain', ['host']],
    ['an empty host', '/plans/drain?host=', ['host']],
    ['a repeated host', `/plans/drain?host=${otherCellHost}&host=${otherCellHost}`, ['host']],
    ['a repeated flag', `/plans/drain?host=${otherCellHost}&execute=true&execute=false`, ['execute']],
    [
      'a bad boolean and an unknown parameter',
      `/plans/drain?host=${otherCellHost}&dryRun=maybe&colour=red`,
      ['dryRun', 'colour'],
    ],
  ])('answers 400 listing each problem for %s', async (_name, path, paths) => {
    const before = (await t.store.listPlans()).length;
    const r = await t.call('POST', path);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_PARAMETER');
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...paths].sort());
    for (const p of paths) expect(r.body.error.message).toContain(p);
    expect((await t.store.listPlans()).length).toBe(before);
  });

  it('answers 400 when a parameter is in both the query and the body', async () => {
    const r = await t.call('POST', `/plans/drain?host=${otherCellHost}&dryRun=true`, { body: { dryRun: false } });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'dryRun', message: 'parameter "dryRun" given 2 times: expected it once' },
    ]);
  });
});
