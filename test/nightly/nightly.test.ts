import { afterEach, describe, expect, it } from 'vitest';
import { createNightly } from '../../src/nightly/nightly.js';
import { systemClock } from '../../executor/clock.js';
import type { PlanRequest } from '../../planner/index.js';
import { createPlanLifecycle } from '../../src/orchestrate/lifecycle.js';
import { balancePlan, harness, hourPerMove, HOUR } from './helpers.js';

const at = (iso: string) => Date.parse(iso);

describe('nightly run', () => {
  const open: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('in report mode stores the plan as a nightly plan and executes nothing', async () => {
    const h = harness({ mode: 'report' }, { now: at('2026-01-10T02:00:00Z') });
    open.push(h.store);
    const result = await createNightly(h.deps).runOnce(h.clock.t);
    expect(result).toMatchObject({ action: 'planned', moves: 2, deadline: '2026-01-10T05:00:00.000Z' });
    expect(h.executions).toHaveLength(0);
    const stored = (await h.store.getPlan((result as { planId: string }).planId))!;
    expect(stored).toMatchObject({ source: 'nightly', status: 'planned' });
    expect((await h.store.listMoves(stored.id)).map((m) => m.state)).toEqual(['pending', 'pending']);
  });

  it('passes threshold, move limit and cells from the configuration to the planner', async () => {
    const h = harness({ threshold: 0.2, maxMovesPerNight: 7, cells: ['cell1'] });
    open.push(h.store);
    await createNightly(h.deps).runOnce(0);
    expect(h.requests[0]).toEqual({ cells: ['cell1'], threshold: 0.2, maxMoves: 7, windowSeconds: 5 * 3600 });
  });

  it('starts no migration after the window end (execute mode, one hour per move from 02:00)', async () => {
    const instances = ['vm-1', 'vm-2', 'vm-3', 'vm-4', 'vm-5'];
    const h = harness(
      { mode: 'execute', windowEnd: '05:00', timezone: 'UTC' },
      { now: at('2026-01-10T02:00:00Z'), plan: () => balancePlan(instances), execute: hourPerMove },
    );
    open.push(h.store);
    const result = await createNightly(h.deps).runOnce(h.clock.t);
    expect(result).toMatchObject({
      action: 'executed',
      moves: 5,
      status: 'succeeded',
      outcomes: { succeeded: 3, pending: 2 },
    });
    const started = (await h.store.listMoves((result as { planId: string }).planId)).filter(
      (m) => m.startedAt !== null,
    );
    expect(started.map((m) => new Date(m.startedAt!).toISOString())).toEqual([
      '2026-01-10T02:00:00.000Z',
      '2026-01-10T03:00:00.000Z',
      '2026-01-10T04:00:00.000Z',
    ]);
    expect(h.executions[0].options.deadline).toBe(at('2026-01-10T05:00:00Z'));
  });

  it('reads the window end in the configured time zone', async () => {
    const h = harness(
      { mode: 'execute', windowEnd: '05:00', timezone: 'America/New_York' },
      { now: at('2026-07-10T06:00:00Z') },
    );
    open.push(h.store);
    await createNightly(h.deps).runOnce(h.clock.t);
    expect(new Date(h.executions[0].options.deadline).toISOString()).toBe('2026-07-10T09:00:00.000Z');
  });

  it('freezes instances moved within the cool-down and lets older moves go', async () => {
    const now = at('2026-01-10T02:00:00Z');
    const h = harness({ cooldownHours: 24 }, { now });
    open.push(h.store);
    const recent = await h.store.createPlan({
      plan: balancePlan(['vm-recent']),
      source: 'nightly',
      at: now - 4 * HOUR,
    });
    await h.store.updateMove(recent.id, 0, { state: 'succeeded', endedAt: now - 3 * HOUR }, now - 3 * HOUR);
    const old = await h.store.createPlan({ plan: balancePlan(['vm-old']), source: 'nightly', at: now - 30 * HOUR });
    await h.store.updateMove(old.id, 0, { state: 'succeeded', endedAt: now - 29 * HOUR }, now - 29 * HOUR);
    const failed = await h.store.createPlan({ plan: balancePlan(['vm-failed']), source: 'api', at: now - 2 * HOUR });
    await h.store.updateMove(failed.id, 0, { state: 'failed', endedAt: now - HOUR }, now - HOUR);
    // the freezes are the plan lifecycle's: plan through it, with a planner that records its request
    let asked: PlanRequest | null = null;
    const lifecycle = createPlanLifecycle({
      store: h.store,
      clock: { ...systemClock, now: () => h.clock.now() },
      settings: { planner: {}, cooldownHours: 24 },
      collect: async () => ({ hosts: [], instances: [], serverGroups: [] }),
      planFn: (_inventory, request) => {
        asked = request;
        return balancePlan(['vm-a']);
      },
    });
    const empty = { hosts: [], instances: [], serverGroups: [] };
    h.deps.planBalance = (req) => lifecycle.plan(empty, { goal: 'balance', ...req, source: 'nightly' });
    const result = await createNightly(h.deps).runOnce(now);
    expect(asked).toMatchObject({ goal: 'balance', frozenInstances: ['vm-recent'] });
    expect(result).toMatchObject({ frozen: 1 });
  });

  it('skips while a drain is active (planned, running or being cancelled), without planning', async () => {
    const h = harness({ mode: 'report' });
    open.push(h.store);
    const drain = { ...balancePlan(['vm-x']), goal: 'drain' as const, target: { hosts: ['h1'] } };
    const rec = await h.store.createPlan({ plan: drain, source: 'api', at: 0 });
    const lifecycle = createPlanLifecycle({
      store: h.store,
      clock: systemClock,
      settings: { planner: {}, cooldownHours: 24 },
      collect: async () => ({ hosts: [], instances: [], serverGroups: [] }),
    });
    h.deps.isDrainRunning = async () => await lifecycle.drainActive();
    const nightly = createNightly(h.deps);
    expect(await nightly.runOnce(0)).toEqual({ action: 'skipped', reason: 'drain-running' });
    await h.store.setPlanStatus(rec.id, 'running', 1);
    expect(await nightly.runOnce(0)).toEqual({ action: 'skipped', reason: 'drain-running' });
    await h.store.setPlanStatus(rec.id, 'cancelling', 2);
    expect(await nightly.runOnce(0)).toEqual({ action: 'skipped', reason: 'drain-running' });
    expect(h.requests).toHaveLength(0);
    await h.store.setPlanStatus(rec.id, 'cancelled', 3);
    expect(await nightly.runOnce(0)).toMatchObject({ action: 'planned' });
    expect(h.requests).toHaveLength(1);
  });

  it('labels "below threshold" by the planner\'s imbalance: max(CV of memory, CV of measured CPU)', async () => {
    const quietMemoryBusyCpu = () => {
      const p = balancePlan([], 0.05);
      p.metrics.before.cell1 = { ...p.metrics.before.cell1, cpuUsage: { max: 0.9, cv: 0.3 } };
      return p;
    };
    const h = harness({ threshold: 0.1 }, { plan: quietMemoryBusyCpu });
    open.push(h.store);
    const result = await createNightly(h.deps).runOnce(0);
    expect(result).toMatchObject({ action: 'nothing-to-do', reason: 'no-useful-move', imbalance: { cell1: 0.3 } });
  });

  it('records every run with what it did and why', async () => {
    let draining = false;
    let answer = () => balancePlan(['vm-a']);
    const h = harness({ threshold: 0.1 }, { drainRunning: () => draining, plan: () => answer() });
    open.push(h.store);
    const nightly = createNightly(h.deps);
    h.clock.t = 1000;
    await nightly.runOnce(h.clock.t);
    draining = true;
    h.clock.t = 2000;
    await nightly.runOnce(h.clock.t);
    draining = false;
    answer = () => balancePlan([], 0.05);
    h.clock.t = 3000;
    await nightly.runOnce(h.clock.t);
    answer = () => {
      throw Object.assign(new Error('inventory collection timed out'), { code: 'COLLECT_TIMEOUT' });
    };
    h.clock.t = 4000;
    await nightly.runOnce(h.clock.t);
    const runs = (await h.store.listNightlyRuns()).reverse();
    expect(runs.map((r) => [r.startedAt, r.mode, (r.result as { action: string }).action])).toEqual([
      [1000, 'report', 'planned'],
      [2000, 'report', 'skipped'],
      [3000, 'report', 'nothing-to-do'],
      [4000, 'report', 'failed'],
    ]);
    expect(runs[1].result).toEqual({ action: 'skipped', reason: 'drain-running' });
    expect(runs[2].result).toMatchObject({ reason: 'below-threshold', imbalance: { cell1: 0.05 } });
    expect(runs[3].result).toEqual({
      action: 'failed',
      stage: 'plan',
      error: { code: 'COLLECT_TIMEOUT', message: 'inventory collection timed out' },
    });
    expect(runs.every((r) => r.endedAt !== null)).toBe(true);
  });

  it('does not start a second run while one is in progress', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({ mode: 'execute' }, { execute: () => gate });
    open.push(h.store);
    const nightly = createNightly(h.deps);
    const first = nightly.runOnce(0);
    await new Promise((r) => setImmediate(r));
    expect(await nightly.runOnce(0)).toEqual({ action: 'skipped', reason: 'already-running' });
    release();
    expect(await first).toMatchObject({ action: 'executed' });
  });
});
