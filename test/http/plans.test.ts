import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../planner/index.js';
import { demoRegion } from '../../src/demo/region.js';
import { recordingRunner, startHarness, type Harness } from './support/harness.js';

describe('plans: balance, list, read, execute, cancel, events', () => {
  let t: Harness;
  let inventory: Inventory;
  const runner = recordingRunner();
  beforeAll(async () => {
    inventory = demoRegion({ seed: 5, cells: 2, size: 16 });
    t = await startHarness({ inventorySource: async () => structuredClone(inventory), runner });
  });
  afterAll(() => t.close());
  const cell1 = () => inventory.hosts.filter((h) => h.cell === 'cell1').map((h) => h.name);

  it('POST /plans/balance stores a balance plan of the cell', async () => {
    const r = await t.call('POST', '/plans/balance?cell=cell1&threshold=0&maxMoves=5');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ goal: 'balance', target: { cells: ['cell1'] }, status: 'planned' });
    expect(r.body.moves.length).toBeLessThanOrEqual(5);
    expect(r.body.moves.every((m: { to: string }) => cell1().includes(m.to))).toBe(true);
  });

  it.each([
    ['an unknown cell', '/plans/balance?cell=cell9', 404, 'UNKNOWN_CELL', ['cell']],
    [
      'a threshold out of range and a fractional maxMoves',
      '/plans/balance?threshold=2&maxMoves=1.5',
      400,
      'INVALID_PARAMETER',
      ['threshold', 'maxMoves'],
    ],
    ['a repeated threshold', '/plans/balance?threshold=0.1&threshold=0.2', 400, 'INVALID_PARAMETER', ['threshold']],
  ])('POST /plans/balance rejects %s', async (_n, path, status, code, paths) => {
    const before = (await t.store.listPlans()).length;
    const r = await t.call('POST', path);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(paths);
    expect((await t.store.listPlans()).length).toBe(before);
  });

  it('GET /plans lists plans newest first and filters by status', async () => {
    const drain = await t.call('POST', `/plans/drain?host=${cell1()[0]}`);
    const all = await t.call('GET', '/plans');
    expect(all.status).toBe(200);
    expect(all.body.plans[0].id).toBe(drain.body.id);
    expect(all.body.plans[0]).toMatchObject({ goal: 'drain', moveCount: drain.body.moves.length, status: 'planned' });
    const none = await t.call('GET', '/plans?status=succeeded');
    expect(none.body.plans).toEqual([]);
    const bad = await t.call('GET', '/plans?status=done&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['status', 'limit']);
  });

  it('GET /plans pages past the first page with the next cursor and Link; an unknown cursor is a 400', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await t.call('POST', '/plans/balance?cell=cell1&threshold=0&maxMoves=2')).status).toBe(201);
    }
    const all = (await t.call('GET', '/plans?limit=1000')).body;
    expect(all.next).toBeNull();
    expect(all.plans.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let path = '/plans?limit=2';
    for (let pages = 0; path; pages++) {
      expect(pages).toBeLessThan(all.plans.length);
      const r = await t.call('GET', path);
      expect(r.status).toBe(200);
      seen.push(...r.body.plans.map((p: { id: string }) => p.id));
      const link = r.headers.get('link');
      if (r.body.next === null) {
        expect(link).toBeNull();
        path = '';
      } else {
        expect(r.body.plans).toHaveLength(2);
        expect(link).toBe(`</plans?limit=2&after=${r.body.next}>; rel="next"`);
        path = link!.slice(1, link!.indexOf('>'));
      }
    }
    expect(seen).toEqual(all.plans.map((p: { id: string }) => p.id));
    const planned = (await t.call('GET', '/plans?status=planned&limit=1')).body;
    const second = (await t.call('GET', `/plans?status=planned&limit=1&after=${planned.next}`)).body;
    expect(second.plans[0].status).toBe('planned');
    expect(second.plans[0].id).not.toBe(planned.plans[0].id);
    const bad = await t.call('GET', '/plans?after=no-such-plan');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['after']);
  });

  it('GET /plans/:id shows each move with its state, progress and the ETA; 404 for an unknown id', async () => {
    const [latest] = (await t.call('GET', '/plans')).body.plans;
    const r = await t.call('GET', `/plans/${latest.id}`);
    expect(r.status).toBe(200);
    expect(
      r.body.moves.every(
        (m: { state: string; progress: { percent: number } }) => m.state === 'pending' && m.progress.percent === 0,
      ),
    ).toBe(true);
    expect(r.body.etaSeconds).toBeGreaterThan(0);
    expect(r.body.progress).toMatchObject({ movesTotal: r.body.moves.length, movesDone: 0 });
    const missing = await t.call('GET', '/plans/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('PLAN_NOT_FOUND');
  });

  it('POST /plans/:id/execute re-verifies and starts a planned plan; 409 once it is no longer planned', async () => {
    const [latest] = (await t.call('GET', '/plans')).body.plans;
    const r = await t.call('POST', `/plans/${latest.id}/execute`);
    expect(r.status).toBe(202);
    expect(runner.started).toContain(latest.id);
    await t.store.setPlanStatus(latest.id, 'running', Date.now());
    const again = await t.call('POST', `/plans/${latest.id}/execute`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PLAN_NOT_EXECUTABLE');
  });

  it('POST /plans/:id/execute answers 409 PLAN_STALE listing violations when the inventory changed', async () => {
    const host = cell1()[1];
    const created = await t.call('POST', `/plans/drain?host=${host}`);
    expect(created.body.moves.length).toBeGreaterThan(0);
    const target = created.body.moves[0].to;
    inventory.hosts.find((h) => h.name === target)!.state = 'down';
    const r = await t.call('POST', `/plans/${created.body.id}/execute`);
    inventory.hosts.find((h) => h.name === target)!.state = 'up';
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('PLAN_STALE');
    expect(r.body.error.details.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.body.error.details)).toContain(target);
    expect(runner.started).not.toContain(created.body.id);
    expect((await t.store.getPlan(created.body.id))!.status).toBe('planned');
  });

  it('POST /plans/:id/cancel cancels a planned plan (200), asks the runner for a running one (202), 409 when ended', async () => {
    const planned = (await t.call('GET', '/plans?status=planned')).body.plans[0];
    const r = await t.call('POST', `/plans/${planned.id}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('cancelled');
    const again = await t.call('POST', `/plans/${planned.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PLAN_FINISHED');
    const running = (await t.call('GET', '/plans?status=running')).body.plans[0];
    const c = await t.call('POST', `/plans/${running.id}/cancel`);
    expect(c.status).toBe(202);
    expect(runner.cancelled).toContain(running.id);
    expect((await t.call('POST', '/plans/nope/cancel')).status).toBe(404);
  });

  it('GET /plans/:id/events pages through the events of a plan', async () => {
    const [p] = (await t.call('GET', '/plans')).body.plans;
    const at = Date.now();
    for (const type of ['plan.started', 'move.started', 'move.succeeded'])
      await t.store.appendEvent({
        planId: p.id,
        moveIndex: type === 'plan.started' ? null : 0,
        type,
        data: { n: 1 },
        at,
      });
    const first = await t.call('GET', `/plans/${p.id}/events?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { type: string }) => e.type)).toEqual(['plan.started', 'move.started']);
    const rest = await t.call('GET', `/plans/${p.id}/events?after=${first.body.next}`);
    expect(rest.body.events.map((e: { type: string }) => e.type)).toEqual(['move.succeeded']);
    expect((await t.call('GET', '/plans/nope/events')).status).toBe(404);
    expect((await t.call('GET', `/plans/${p.id}/events?after=-1`)).status).toBe(400);
  });
});
