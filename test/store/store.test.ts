/**
 * The store port's behaviour, run against every store (SQLite and PostgreSQL): what one store
 * does, the other does too. Store-specific tests (files, journaling, replicas) are in
 * sqlite.test.ts and postgres.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignPlan } from '../../planner/index.js';
import { StoreNotFoundError } from '../../src/store/errors.js';
import { samplePlan } from './helpers.js';
import { STORE_KINDS, type AnyStore } from './stores.js';

const rejects = (f: () => unknown) => expect((async () => f())()).rejects;

describe.each(STORE_KINDS)('$name store', (kind) => {
  describe.skipIf(kind.skip)('port', () => {
    it('creates a plan with one pending move per plan move and finds it from another connection', async () => {
      const { store, another } = await kind.open();
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
        dirtyRateBps: 5.5,
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

      const again = await another();
      const plan = (await again.getPlan(rec.id))!;
      expect(plan).toMatchObject({
        status: 'failed',
        source: 'api',
        summary: { failed: 1 },
        createdAt: 1000,
        updatedAt: 1400,
      });
      expect(plan.error).toEqual({ code: 'MOVES_FAILED', message: '1 move failed' });
      expect(plan.plan).toEqual(samplePlan(3));
      const moves = await again.listMoves(rec.id);
      expect(moves.map((m) => m.state)).toEqual(['pending', 'failed', 'pending']);
      expect(moves[1]).toMatchObject({
        attempts: 1,
        startedAt: 1100,
        endedAt: 1300,
        error: { code: 'MIGRATION_FAILED' },
        location: { runningOn: ['HostA'] },
      });
      expect(moves[1].lastProgress).toMatchObject({ remainingBytes: 90, etaSeconds: 9, dirtyRateBps: 5.5 });
      expect(await again.getMove(rec.id, 1)).toEqual(moves[1]);
      expect(await again.getMove(rec.id, 9)).toBeNull();
      expect((await again.moveHistory(rec.id, 1)).map((h) => h.state)).toEqual([
        'pending',
        'prechecking',
        'migrating',
        'failed',
      ]);
      expect(await again.listProgress(rec.id, 1)).toEqual([
        {
          planId: rec.id,
          index: 1,
          at: 1250,
          processedBytes: 10,
          remainingBytes: 90,
          totalBytes: 100,
          dirtyRateBps: 5.5,
          etaSeconds: 9,
        },
      ]);
      expect(await again.listProgress(rec.id)).toHaveLength(1);
      expect((await again.listEvents({ planId: rec.id }))[0]).toMatchObject({
        type: 'migration.started',
        moveIndex: 1,
        data: { to: 'HostB' },
      });
      expect(await again.getPlanVersion(rec.id)).toEqual({ status: 'failed', updatedAt: 1400 });
      expect(await again.getPlanVersion('nope')).toBeNull();
    });

    it('keeps the summary when a later status change gives none, and clears the error only when asked', async () => {
      const { store } = await kind.open();
      const a = await store.createPlan({ plan: samplePlan(0), source: 'cli', at: 1 });
      await store.setPlanStatus(a.id, 'running', 2, { summary: { n: 1 }, error: { code: 'X', message: 'x' } });
      await store.setPlanStatus(a.id, 'cancelling', 3);
      expect(await store.getPlan(a.id)).toMatchObject({ summary: { n: 1 }, error: { code: 'X' } });
      await store.setPlanStatus(a.id, 'cancelled', 4, { error: null });
      expect(await store.getPlan(a.id)).toMatchObject({ summary: { n: 1 }, error: null, status: 'cancelled' });
    });

    it('keeps the request a plan was made for', async () => {
      const { store } = await kind.open();
      const request = {
        goal: 'drain' as const,
        hosts: ['HostA'],
        source: 'api' as const,
        method: 'heuristic' as const,
      };
      const a = await store.createPlan({ plan: samplePlan(1), source: 'api', request, at: 1 });
      expect(a.request).toEqual(request);
      expect((await store.getPlan(a.id))!.request).toEqual(request);
      const b = await store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
      expect(b.request).toBeNull();
    });

    it('links a superseded plan both ways and hands its maintenance claims over', async () => {
      const { store } = await kind.open();
      const a = await store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
      expect(await store.claimMaintenance(['HostA'], { reason: 'drain', planId: a.id, at: 1 })).toEqual({ ok: true });
      const b = await store.createPlan({ plan: samplePlan(1), source: 'api', supersedes: a.id, at: 2 });
      await store.supersede(a.id, b.id, 3);
      expect(await store.getPlan(a.id)).toMatchObject({ status: 'superseded', supersededBy: b.id, updatedAt: 3 });
      expect(await store.getPlan(b.id)).toMatchObject({ supersedes: a.id });
      expect(await store.listMaintenance()).toEqual([{ host: 'HostA', since: 1, reason: 'drain', planId: b.id }]);
      await store.releaseMaintenanceOf(b.id, 4);
      expect(await store.listMaintenance()).toEqual([]);
      await rejects(async () => await store.supersede(b.id, 'nope', 5)).toThrow(StoreNotFoundError);
      expect((await store.getPlan(b.id))!.status).toBe('planned');
    });

    it('lets exactly one of two overlapping claims take a host, all or nothing', async () => {
      const { store, another } = await kind.open();
      const other = await another();
      const first = await store.claimMaintenance(['HostA', 'HostB'], { reason: 'drain', planId: null, at: 1 });
      const second = await other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 2 });
      expect(first.ok).toBe(true);
      expect(second).toMatchObject({ ok: false, heldBy: [{ host: 'HostB' }] });
      expect((await store.listMaintenance()).map((m) => m.host)).toEqual(['HostA', 'HostB']);
      await store.releaseMaintenance('HostB', 3);
      expect((await other.claimMaintenance(['HostB', 'HostC'], { reason: 'drain', planId: null, at: 4 })).ok).toBe(
        true,
      );
      expect((await store.listMaintenance()).map((m) => m.host)).toEqual(['HostA', 'HostB', 'HostC']);
    });

    it('createPlanClaiming: refused only by an active plan, takes over manual and ended claims, all or nothing', async () => {
      const { store, another } = await kind.open();
      const other = await another();
      const drainOf = async (id: string, at: number, s: AnyStore = store) =>
        await s.createPlanClaiming({ id, plan: samplePlan(1), source: 'cli', at }, ['HostA', 'HostB', 'HostA']);
      await store.claimMaintenance(['HostA'], { reason: 'manual', planId: null, at: 1 });
      expect(await drainOf('d1', 2)).toMatchObject({ ok: true, record: { id: 'd1', status: 'planned' } });
      expect((await store.listMoves('d1')).map((m) => m.state)).toEqual(['pending']);
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

    it('lists plans newest first, filtered by status and source, paged after a plan', async () => {
      const { store } = await kind.open();
      const ids: string[] = [];
      for (const t of [1, 2, 3, 3])
        ids.push((await store.createPlan({ plan: samplePlan(0), source: t === 2 ? 'nightly' : 'api', at: t })).id);
      await store.setPlanStatus(ids[0], 'running', 5);
      const listed = async (f?: Parameters<AnyStore['listPlans']>[0]) => (await store.listPlans(f)).map((p) => p.id);
      expect(await listed()).toEqual([ids[3], ids[2], ids[1], ids[0]]);
      expect(await listed({ status: ['running'] })).toEqual([ids[0]]);
      expect(await listed({ status: ['running', 'planned'], source: 'api' })).toEqual([ids[3], ids[2], ids[0]]);
      expect(await listed({ source: 'nightly' })).toEqual([ids[1]]);
      expect(await listed({ limit: 1 })).toEqual([ids[3]]);
      expect(await listed({ after: ids[3], limit: 2 })).toEqual([ids[2], ids[1]]);
      expect(await listed({ after: ids[1] })).toEqual([ids[0]]);
      expect(await listed({ after: 'nope' })).toEqual([]);
    });

    it('reports unknown plans and moves with the id received', async () => {
      const { store } = await kind.open();
      expect(await store.getPlan('nope')).toBeNull();
      await rejects(async () => await store.setPlanStatus('nope', 'failed', 1)).toThrow(StoreNotFoundError);
      const a = await store.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
      await rejects(async () => await store.updateMove(a.id, 7, { state: 'failed' }, 2)).toThrow(/no move 7/);
      expect(await store.moveHistory(a.id, 7)).toEqual([]);
    });

    it('keeps events in append order and pages after an id', async () => {
      const { store } = await kind.open();
      const a = await store.createPlan({ plan: samplePlan(0), source: 'cli', at: 1 });
      const b = await store.createPlan({ plan: samplePlan(0), source: 'cli', at: 1 });
      const ids: number[] = [];
      for (const k of [0, 1, 2, 3])
        ids.push(
          await store.appendEvent({
            planId: k === 2 ? b.id : a.id,
            moveIndex: null,
            type: `e${k}`,
            data: null,
            at: 10 - k,
          }),
        );
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect((await store.listEvents()).map((e) => e.type)).toEqual(['e0', 'e1', 'e2', 'e3']);
      expect((await store.listEvents({ afterId: ids[1] })).map((e) => e.type)).toEqual(['e2', 'e3']);
      expect((await store.listEvents({ afterId: ids[0], limit: 2 })).map((e) => e.type)).toEqual(['e1', 'e2']);
      expect((await store.listEvents({ planId: a.id, afterId: ids[0] })).map((e) => e.type)).toEqual(['e1', 'e3']);
      expect((await store.listEvents({ planId: b.id }))[0]).toMatchObject({ id: ids[2], data: null, at: 8 });
    });

    it('keeps plan totals as plans are written and lists each move ending once, after a cursor', async () => {
      const { store } = await kind.open();
      const a = await store.createPlan({ plan: samplePlan(3), source: 'api', at: 1 });
      const b = await store.createPlan({ plan: samplePlan(1), source: 'api', supersedes: a.id, at: 2 });
      await store.setPlanStatus(a.id, 'running', 3);
      await store.setPlanStatus(a.id, 'running', 4);
      expect(await store.planTotals()).toEqual({
        byStatus: { planned: 1, running: 1, cancelling: 0, succeeded: 0, failed: 0, cancelled: 0, superseded: 0 },
        replans: 1,
      });
      await store.supersede(a.id, b.id, 5);
      expect((await store.planTotals()).byStatus).toMatchObject({ running: 0, superseded: 1, planned: 1 });
      expect((await store.planTotals()).replans).toBe(1);

      expect(await store.countMoves(['pending'])).toBe(4);
      await store.updateMove(a.id, 0, { state: 'migrating' }, 6);
      await store.updateMove(a.id, 0, { state: 'succeeded' }, 7);
      await store.updateMove(a.id, 2, { state: 'failed' }, 8);
      await store.updateMove(a.id, 2, { state: 'failed', attempts: 2 }, 9);
      await store.updateMove(b.id, 0, { state: 'migrating' }, 10);
      expect(await store.countMoves(['migrating', 'pending'])).toBe(2);
      expect(await store.countMoves([])).toBe(0);
      const endings = await store.listMoveEndings(0, 10);
      expect(endings.map((e) => [e.record.planId, e.record.index, e.state])).toEqual([
        [a.id, 0, 'succeeded'],
        [a.id, 2, 'failed'],
      ]);
      expect(endings[1].record.attempts).toBe(2);
      expect(await store.listMoveEndings(endings[0].id, 10)).toEqual([endings[1]]);
      expect(await store.listMoveEndings(0, 1)).toEqual([endings[0]]);
      await store.updateMove(b.id, 0, { state: 'timed_out' }, 11);
      expect((await store.listMoveEndings(endings[1].id, 10)).map((e) => e.state)).toEqual(['timed_out']);
    });

    it('records nightly runs, newest first', async () => {
      const { store, another } = await kind.open();
      const run = await store.startNightlyRun({ mode: 'execute', at: 100 });
      expect(run).toEqual({ id: run.id, startedAt: 100, endedAt: null, mode: 'execute', result: null });
      await store.finishNightlyRun(run.id, { plans: 2 }, 200);
      const later = await store.startNightlyRun({ id: 'n2', mode: 'report', at: 300 });
      await store.close();
      const again = await another();
      expect(await again.listNightlyRuns()).toEqual([
        later,
        { id: run.id, startedAt: 100, endedAt: 200, mode: 'execute', result: { plans: 2 } },
      ]);
      expect(await again.listNightlyRuns(1)).toEqual([later]);
    });

    it('keeps campaigns with their hosts in step order', async () => {
      const { store } = await kind.open();
      const forecast = {
        steps: [{ hosts: ['h2', 'h1'] }, { hosts: ['h3'] }],
      } as unknown as CampaignPlan;
      const request = { cells: ['c1'], maxUnavailable: 2, source: 'api' as const } as never;
      const c = await store.createCampaign({ id: 'c1', request, forecast, status: 'planned', at: 10 });
      expect(c).toEqual({
        id: 'c1',
        request,
        forecast,
        status: 'planned',
        reason: null,
        createdAt: 10,
        updatedAt: 10,
      });
      await store.createCampaign({ id: 'c2', request, forecast, status: 'running', at: 11 });
      expect((await store.listCampaigns()).map((x) => x.id)).toEqual(['c2', 'c1']);
      expect((await store.listCampaigns({ status: ['planned', 'paused'] })).map((x) => x.id)).toEqual(['c1']);
      expect((await store.listCampaigns({ limit: 1 })).map((x) => x.id)).toEqual(['c2']);
      expect((await store.listCampaignHosts('c1')).map((h) => [h.host, h.step, h.state])).toEqual([
        ['h2', 0, 'pending'],
        ['h1', 0, 'pending'],
        ['h3', 1, 'pending'],
      ]);
      await store.updateCampaignHost('c1', 'h1', { state: 'draining', planId: 'p1' }, 20);
      await store.updateCampaignHost('c1', 'h1', { reason: 'slow' }, 21);
      await store.updateCampaignHost('c1', 'h3', {}, 22);
      expect((await store.listCampaignHosts('c1'))[1]).toEqual({
        campaignId: 'c1',
        host: 'h1',
        step: 0,
        state: 'draining',
        planId: 'p1',
        reason: 'slow',
        since: 20,
      });
      expect((await store.getCampaign('c1'))!.updatedAt).toBe(21);
      await store.setCampaignStatus('c1', 'paused', 30, 'h1 did not come back');
      await store.setCampaignStatus('c1', 'running', 31);
      expect(await store.getCampaign('c1')).toMatchObject({
        status: 'running',
        reason: 'h1 did not come back',
        updatedAt: 31,
      });
      await store.setCampaignStatus('c1', 'succeeded', 32, null);
      expect((await store.getCampaign('c1'))!.reason).toBeNull();
      expect(await store.getCampaign('nope')).toBeNull();
    });

    it('changes a plan status only from the statuses given, and says what it was', async () => {
      const { store, another } = await kind.open();
      const other = await another();
      const a = await store.createPlan({ plan: samplePlan(1), source: 'api', at: 1 });
      expect(await store.changePlanStatus(a.id, ['planned'], 'running', 2)).toBe('planned');
      expect(await other.changePlanStatus(a.id, ['planned'], 'cancelled', 3)).toBe('running');
      expect(await store.getPlanVersion(a.id)).toEqual({ status: 'running', updatedAt: 2 });
      expect(await other.changePlanStatus(a.id, ['running', 'planned'], 'cancelling', 4)).toBe('running');
      expect((await store.planTotals()).byStatus).toMatchObject({ cancelling: 1, running: 0, planned: 0 });
      expect(await store.changePlanStatus('nope', ['planned'], 'running', 5)).toBeNull();
    });

    it('changes a campaign status only from the statuses given, with or without a reason', async () => {
      const { store } = await kind.open();
      const forecast = { steps: [{ hosts: ['h1'] }] } as unknown as CampaignPlan;
      const request = { cells: ['c1'], maxUnavailable: 1, source: 'api' as const } as never;
      await store.createCampaign({ id: 'c1', request, forecast, status: 'running', at: 1 });
      expect(await store.changeCampaignStatus('c1', ['running'], 'paused', 2, 'h1 failed')).toBe('running');
      expect(await store.changeCampaignStatus('c1', ['running'], 'succeeded', 3)).toBe('paused');
      expect(await store.getCampaign('c1')).toMatchObject({ status: 'paused', reason: 'h1 failed', updatedAt: 2 });
      expect(await store.changeCampaignStatus('c1', ['paused'], 'running', 4)).toBe('paused');
      expect(await store.getCampaign('c1')).toMatchObject({ status: 'running', reason: 'h1 failed', updatedAt: 4 });
      expect(await store.changeCampaignStatus('c1', ['running'], 'cancelled', 5, null)).toBe('running');
      expect((await store.getCampaign('c1'))!.reason).toBeNull();
      expect(await store.changeCampaignStatus('nope', ['running'], 'paused', 6)).toBeNull();
    });

    it('takes a probe write and remembers no fault while writes succeed', async () => {
      const { store } = await kind.open();
      await store.probeWrite(1);
      await store.probeWrite(2);
      expect(await store.lastWriteFault()).toBeNull();
    });
  });
});
