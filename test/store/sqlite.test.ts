import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore, StoreNotFoundError } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { ServiceStore } from '../../src/store/port.js';
import { samplePlan, tempDbPath } from './helpers.js';

const cleanups: (() => void)[] = [];
function fresh(): { path: string; store: ServiceStore } {
  const t = tempDbPath();
  const store = openStore(t.path);
  cleanups.push(() => {
    try {
      store.close();
    } catch {
      /* already closed */
    }
    t.cleanup();
  });
  return { path: t.path, store };
}
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('SQLite store', () => {
  it('creates a plan with one pending move per plan move and finds it after reopening', () => {
    const { path, store } = fresh();
    const rec = store.createPlan({ plan: samplePlan(3), source: 'api', at: 1000 });
    expect(rec.status).toBe('planned');
    store.updateMove(rec.id, 1, { state: 'prechecking', attempts: 1, startedAt: 1100 }, 1100);
    store.updateMove(rec.id, 1, { state: 'migrating' }, 1200);
    store.updateMove(
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
    store.addProgress({
      planId: rec.id,
      index: 1,
      at: 1250,
      processedBytes: 10,
      remainingBytes: 90,
      totalBytes: 100,
      dirtyRateBps: 5,
      etaSeconds: 9,
    });
    store.appendEvent({ planId: rec.id, moveIndex: 1, type: 'migration.started', data: { to: 'HostB' }, at: 1200 });
    store.setPlanStatus(rec.id, 'failed', 1400, {
      summary: { failed: 1 },
      error: { code: 'MOVES_FAILED', message: '1 move failed' },
    });
    store.close();

    const again = openStore(path);
    cleanups.push(() => again.close());
    const plan = again.getPlan(rec.id)!;
    expect(plan).toMatchObject({
      status: 'failed',
      source: 'api',
      summary: { failed: 1 },
      createdAt: 1000,
      updatedAt: 1400,
    });
    expect(plan.error).toEqual({ code: 'MOVES_FAILED', message: '1 move failed' });
    expect(plan.plan.moves).toHaveLength(3);
    const moves = again.listMoves(rec.id);
    expect(moves.map((m) => m.state)).toEqual(['pending', 'failed', 'pending']);
    expect(moves[1]).toMatchObject({
      attempts: 1,
      startedAt: 1100,
      endedAt: 1300,
      error: { code: 'MIGRATION_FAILED' },
      location: { runningOn: ['HostA'] },
    });
    expect(moves[1].lastProgress).toMatchObject({ remainingBytes: 90, etaSeconds: 9 });
    expect(again.moveHistory(rec.id, 1).map((h) => h.state)).toEqual(['pending', 'prechecking', 'migrating', 'failed']);
    expect(again.listProgress(rec.id, 1)).toHaveLength(1);
    expect(again.listEvents({ planId: rec.id })[0]).toMatchObject({
      type: 'migration.started',
      moveIndex: 1,
      data: { to: 'HostB' },
    });
  });

  it('uses WAL journaling and records the schema version', () => {
    const { path, store } = fresh();
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('keeps what a store with normal durability committed, across reopening', () => {
    const { path, store } = fresh();
    store.close();
    const normal = openStore(path, { durability: 'normal' });
    const a = normal.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
    normal.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(again.getPlan(a.id)).not.toBeNull();
  });

  it('refuses a database written by a newer schema', () => {
    const { path, store } = fresh();
    store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openStore(path)).toThrow(/newer than this program knows/);
  });

  it('links a superseded plan both ways and hands its maintenance claims over', () => {
    const { store } = fresh();
    const a = store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
    expect(store.claimMaintenance(['HostA'], { reason: 'drain', planId: a.id, at: 1 })).toEqual({ ok: true });
    const b = store.createPlan({ plan: samplePlan(1), source: 'api', supersedes: a.id, at: 2 });
    store.supersede(a.id, b.id, 3);
    expect(store.getPlan(a.id)).toMatchObject({ status: 'superseded', supersededBy: b.id });
    expect(store.getPlan(b.id)).toMatchObject({ supersedes: a.id });
    expect(store.listMaintenance()).toEqual([{ host: 'HostA', since: 1, reason: 'drain', planId: b.id }]);
    store.releaseMaintenanceOf(b.id, 4);
    expect(store.listMaintenance()).toEqual([]);
  });

  it('lets exactly one of two overlapping drains claim a host, all or nothing', () => {
    const { path, store } = fresh();
    const other = openStore(path); // a second connection, as a second process would have
    cleanups.push(() => other.close());
    const first = store.claimMaintenance(['HostA', 'HostB'], { reason: 'drain', planId: null, at: 1 });
    const second = other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 2 });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, heldBy: [{ host: 'HostB' }] });
    expect(store.listMaintenance().map((m) => m.host)).toEqual(['HostA', 'HostB']);
    store.releaseMaintenance('HostB', 3);
    expect(other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 4 }).ok).toBe(true);
  });

  it('createPlanClaiming: refused only by an active plan, takes over manual and ended claims, all or nothing', () => {
    const { path, store } = fresh();
    const other = openStore(path);
    cleanups.push(() => other.close());
    const drainOf = (id: string, at: number, s: ServiceStore = store) =>
      s.createPlanClaiming({ id, plan: samplePlan(1), source: 'cli', at }, ['HostA', 'HostB']);
    store.claimMaintenance(['HostA'], { reason: 'manual', planId: null, at: 1 });
    expect(drainOf('d1', 2)).toMatchObject({ ok: true, record: { id: 'd1', status: 'planned' } });
    for (const status of ['planned', 'running', 'cancelling'] as const) {
      store.setPlanStatus('d1', status, 3);
      expect(drainOf(`x-${status}`, 3, other)).toMatchObject({
        ok: false,
        heldBy: [
          { host: 'HostA', planId: 'd1' },
          { host: 'HostB', planId: 'd1' },
        ],
      });
      expect(store.getPlan(`x-${status}`)).toBeNull();
    }
    for (const [k, status] of (['succeeded', 'failed', 'cancelled'] as const).entries()) {
      const prev = `d${k + 1}`;
      store.setPlanStatus(prev, status, 4);
      expect(drainOf(`d${k + 2}`, 5 + k, other).ok).toBe(true);
      expect(store.listMaintenance().map((m) => [m.host, m.planId])).toEqual([
        ['HostA', `d${k + 2}`],
        ['HostB', `d${k + 2}`],
      ]);
    }
  });

  it('lists plans newest first, filtered by status and source', () => {
    const { store } = fresh();
    const ids = [1, 2, 3].map(
      (t) => store.createPlan({ plan: samplePlan(0), source: t === 2 ? 'nightly' : 'api', at: t }).id,
    );
    store.setPlanStatus(ids[0], 'running', 5);
    expect(store.listPlans().map((p) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(store.listPlans({ status: ['running'] }).map((p) => p.id)).toEqual([ids[0]]);
    expect(store.listPlans({ source: 'nightly' }).map((p) => p.id)).toEqual([ids[1]]);
    expect(store.listPlans({ limit: 1 })).toHaveLength(1);
  });

  it('reports unknown plans and moves with the id received', () => {
    const { store } = fresh();
    expect(store.getPlan('nope')).toBeNull();
    expect(() => store.setPlanStatus('nope', 'failed', 1)).toThrow(StoreNotFoundError);
    const a = store.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
    expect(() => store.updateMove(a.id, 7, { state: 'failed' }, 2)).toThrow(/no move 7/);
  });

  it('keeps events in append order and pages after an id', () => {
    const { store } = fresh();
    const a = store.createPlan({ plan: samplePlan(0), source: 'cli', at: 1 });
    const ids = [0, 1, 2, 3].map((k) =>
      store.appendEvent({ planId: a.id, moveIndex: null, type: `e${k}`, data: null, at: 10 - k }),
    );
    expect(store.listEvents().map((e) => e.type)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(store.listEvents({ afterId: ids[1] }).map((e) => e.type)).toEqual(['e2', 'e3']);
  });

  it('records nightly runs', () => {
    const { path, store } = fresh();
    const run = store.startNightlyRun({ mode: 'execute', at: 100 });
    store.finishNightlyRun(run.id, { plans: 2 }, 200);
    store.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(again.listNightlyRuns()).toEqual([
      { id: run.id, startedAt: 100, endedAt: 200, mode: 'execute', result: { plans: 2 } },
    ]);
  });

  it('works in memory for quick tests', () => {
    const s = openStore(':memory:');
    const a = s.createPlan({ plan: samplePlan(2), source: 'cli', at: 1 });
    expect(s.listMoves(a.id)).toHaveLength(2);
    s.close();
  });
});
