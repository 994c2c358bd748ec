import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore, StoreNotFoundError } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { ServiceStore } from '../../src/store/port.js';
import type { CampaignPlan } from '../../planner/index.js';
import { samplePlan, tempDbPath } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
function fresh(): { path: string; store: ServiceStore } {
  const t = tempDbPath();
  const store = openStore(t.path);
  cleanups.push(async () => {
    try {
      await store.close();
    } catch {
      /* already closed */
    }
    t.cleanup();
  });
  return { path: t.path, store };
}
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('SQLite store', () => {
  it('creates a plan with one pending move per plan move and finds it after reopening', async () => {
    const { path, store } = fresh();
    const rec = await store.createPlan({ plan: samplePlan(3), source: 'api', at: 1000 });
    expect(rec.status).toBe('planned');
    await store.updateMove(rec.id, 1, { state: 'prechecking', attempts: 1, startedAt: 1100 }, 1100);
    await store.updateMove(rec.id, 1, { state: 'migrating' }, 1200);
    await store.updateMove(
      rec.id,
      1,
      {
        state: 'failed',
        error: { code: 'MIGRATION_FAILED', message: 'boom' },
        endedAt: 1300,
        location: { runningOn: ['HostA'], definedOn: ['HostA'] },
      },
      1300,
    );
    await store.addProgress({
      planId: rec.id,
      index: 1,
      at: 1250,
      processedBytes: 10,
      remainingBytes: 90,
      totalBytes: 100,
      dirtyRateBps: 5,
      etaSeconds: 9,
    });
    await store.appendEvent({
      planId: rec.id,
      moveIndex: 1,
      type: 'migration.started',
      data: { to: 'HostB' },
      at: 1200,
    });
    await store.setPlanStatus(rec.id, 'failed', 1400, {
      summary: { failed: 1 },
      error: { code: 'MOVES_FAILED', message: '1 move failed' },
    });
    await store.close();

    const again = openStore(path);
    cleanups.push(() => again.close());
    const plan = (await again.getPlan(rec.id))!;
    expect(plan).toMatchObject({
      status: 'failed',
      source: 'api',
      summary: { failed: 1 },
      createdAt: 1000,
      updatedAt: 1400,
    });
    expect(plan.error).toEqual({ code: 'MOVES_FAILED', message: '1 move failed' });
    expect(plan.plan.moves).toHaveLength(3);
    const moves = await again.listMoves(rec.id);
    expect(moves.map((m) => m.state)).toEqual(['pending', 'failed', 'pending']);
    expect(moves[1]).toMatchObject({
      attempts: 1,
      startedAt: 1100,
      endedAt: 1300,
      error: { code: 'MIGRATION_FAILED' },
      location: { runningOn: ['HostA'] },
    });
    expect(moves[1].lastProgress).toMatchObject({ remainingBytes: 90, etaSeconds: 9 });
    expect((await again.moveHistory(rec.id, 1)).map((h) => h.state)).toEqual([
      'pending',
      'prechecking',
      'migrating',
      'failed',
    ]);
    expect(await again.listProgress(rec.id, 1)).toHaveLength(1);
    expect((await again.listEvents({ planId: rec.id }))[0]).toMatchObject({
      type: 'migration.started',
      moveIndex: 1,
      data: { to: 'HostB' },
    });
  });

  it('uses WAL journaling and records the schema version', async () => {
    const { path, store } = fresh();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('keeps what a store with normal durability committed, across reopening', async () => {
    const { path, store } = fresh();
    await store.close();
    const normal = openStore(path, { durability: 'normal' });
    const a = await normal.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
    await normal.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(await again.getPlan(a.id)).not.toBeNull();
  });

  it('refuses a database written by a newer schema', async () => {
    const { path, store } = fresh();
    await store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openStore(path)).toThrow(/newer than this program knows/);
  });

  it('links a superseded plan both ways and hands its maintenance claims over', async () => {
    const { store } = fresh();
    const a = await store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
    expect(await store.claimMaintenance(['HostA'], { reason: 'drain', planId: a.id, at: 1 })).toEqual({ ok: true });
    const b = await store.createPlan({ plan: samplePlan(1), source: 'api', supersedes: a.id, at: 2 });
    await store.supersede(a.id, b.id, 3);
    expect(await store.getPlan(a.id)).toMatchObject({ status: 'superseded', supersededBy: b.id });
    expect(await store.getPlan(b.id)).toMatchObject({ supersedes: a.id });
    expect(await store.listMaintenance()).toEqual([{ host: 'HostA', since: 1, reason: 'drain', planId: b.id }]);
    await store.releaseMaintenanceOf(b.id, 4);
    expect(await store.listMaintenance()).toEqual([]);
  });

  it('lets exactly one of two overlapping drains claim a host, all or nothing', async () => {
    const { path, store } = fresh();
    const other = openStore(path); // a second connection, as a second process would have
    cleanups.push(() => other.close());
    const first = await store.claimMaintenance(['HostA', 'HostB'], { reason: 'drain', planId: null, at: 1 });
    const second = await other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 2 });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, heldBy: [{ host: 'HostB' }] });
    expect((await store.listMaintenance()).map((m) => m.host)).toEqual(['HostA', 'HostB']);
    await store.releaseMaintenance('HostB', 3);
    expect((await other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 4 })).ok).toBe(true);
  });

  it('createPlanClaiming: refused only by an active plan, takes over manual and ended claims, all or nothing', async () => {
    const { path, store } = fresh();
    const other = openStore(path);
    cleanups.push(() => other.close());
    const drainOf = async (id: string, at: number, s: ServiceStore = store) =>
      await s.createPlanClaiming({ id, plan: samplePlan(1), source: 'cli', at }, ['HostA', 'HostB']);
    await store.claimMaintenance(['HostA'], { reason: 'manual', planId: null, at: 1 });
    expect(await drainOf('d1', 2)).toMatchObject({ ok: true, record: { id: 'd1', status: 'planned' } });
    for (const status of ['planned', 'running', 'cancelling'] as const) {
      await store.setPlanStatus('d1', status, 3);
      expect(await drainOf(`x-${status}`, 3, other)).toMatchObject({
        ok: false,
        heldBy: [
          { host: 'HostA', planId: 'd1' },
          { host: 'HostB', planId: 'd1' },
        ],
      });
      expect(await store.getPlan(`x-${status}`)).toBeNull();
    }
    for (const [k, status] of (['succeeded', 'failed', 'cancelled'] as const).entries()) {
      const prev = `d${k + 1}`;
      await store.setPlanStatus(prev, status, 4);
      expect((await drainOf(`d${k + 2}`, 5 + k, other)).ok).toBe(true);
      expect((await store.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([
        ['HostA', `d${k + 2}`],
        ['HostB', `d${k + 2}`],
      ]);
    }
  });

  it('lists plans newest first, filtered by status and source', async () => {
    const { store } = fresh();
    const ids: string[] = [];
    for (const t of [1, 2, 3])
      ids.push((await store.createPlan({ plan: samplePlan(0), source: t === 2 ? 'nightly' : 'api', at: t })).id);
    await store.setPlanStatus(ids[0], 'running', 5);
    expect((await store.listPlans()).map((p) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await store.listPlans({ status: ['running'] })).map((p) => p.id)).toEqual([ids[0]]);
    expect((await store.listPlans({ source: 'nightly' })).map((p) => p.id)).toEqual([ids[1]]);
    expect(await store.listPlans({ limit: 1 })).toHaveLength(1);
  });

  it('changes a plan status only from the statuses given, in one call, and says what it was', async () => {
    const { path, store } = fresh();
    const a = await store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
    expect(await store.changePlanStatus(a.id, ['planned'], 'running', 2)).toBe('planned');
    expect(await store.changePlanStatus(a.id, ['planned'], 'cancelled', 3)).toBe('running');
    expect(await store.getPlanVersion(a.id)).toEqual({ status: 'running', updatedAt: 2 });
    // two connections racing from the same status: exactly one changes it
    const other = openStore(path);
    cleanups.push(() => other.close());
    const results = await Promise.all([
      await store.changePlanStatus(a.id, ['running'], 'cancelling', 4),
      await other.changePlanStatus(a.id, ['running'], 'succeeded', 5),
    ]);
    expect(results).toEqual(['running', 'cancelling']);
    expect((await other.getPlan(a.id))?.status).toBe('cancelling');
    expect(await store.changePlanStatus('nope', ['planned'], 'running', 6)).toBeNull();
  });

  it('changes a campaign status only from the statuses given, with its reason', async () => {
    const { store } = fresh();
    const forecast = { steps: [{ hosts: ['h1'] }], target: { hosts: ['h1'] } } as unknown as CampaignPlan;
    await store.createCampaign({
      id: 'c1',
      request: { maxUnavailable: 1, source: 'api' },
      forecast,
      status: 'running',
      at: 1,
    });
    expect(await store.changeCampaignStatus('c1', ['running'], 'paused', 2, 'why')).toBe('running');
    expect(await store.changeCampaignStatus('c1', ['running'], 'succeeded', 3, null)).toBe('paused');
    expect(await store.getCampaign('c1')).toMatchObject({ status: 'paused', reason: 'why', updatedAt: 2 });
    expect(await store.changeCampaignStatus('c2', ['running'], 'paused', 4)).toBeNull();
  });

  it('reports unknown plans and moves with the id received', async () => {
    const { store } = fresh();
    expect(await store.getPlan('nope')).toBeNull();
    await expect(store.setPlanStatus('nope', 'failed', 1)).rejects.toThrow(StoreNotFoundError);
    const a = await store.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
    await expect(store.updateMove(a.id, 7, { state: 'failed' }, 2)).rejects.toThrow(/no move 7/);
  });

  it('keeps events in append order and pages after an id', async () => {
    const { store } = fresh();
    const a = await store.createPlan({ plan: samplePlan(0), source: 'cli', at: 1 });
    const ids: number[] = [];
    for (const k of [0, 1, 2, 3])
      ids.push(await store.appendEvent({ planId: a.id, moveIndex: null, type: `e${k}`, data: null, at: 10 - k }));
    expect((await store.listEvents()).map((e) => e.type)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect((await store.listEvents({ afterId: ids[1] })).map((e) => e.type)).toEqual(['e2', 'e3']);
  });

  it('records nightly runs', async () => {
    const { path, store } = fresh();
    const run = await store.startNightlyRun({ mode: 'execute', at: 100 });
    await store.finishNightlyRun(run.id, { plans: 2 }, 200);
    await store.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(await again.listNightlyRuns()).toEqual([
      { id: run.id, startedAt: 100, endedAt: 200, mode: 'execute', result: { plans: 2 } },
    ]);
  });

  it('works in memory for quick tests', async () => {
    const s = openStore(':memory:');
    const a = await s.createPlan({ plan: samplePlan(2), source: 'cli', at: 1 });
    expect(await s.listMoves(a.id)).toHaveLength(2);
    await s.close();
  });
});
