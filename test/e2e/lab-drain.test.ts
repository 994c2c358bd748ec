/**
 * End-to-end on real libvirt (the lab of scripts/lab/up.sh): inventory collection, planning and
 * the executor moving real QEMU guests between three libvirtd hosts. Skipped without the lab
 * unless REBALANCER_REQUIRE_REAL is set (then it fails).
 */
import { describe, expect, it } from 'vitest';
import { labSkip, labVm, holdLab, resetVms, startDaemon, stopDaemon, type Lab } from '../support/lab.js';
import { locate, openRig, waitFor, type Rig } from './support.js';
import type { Plan } from '../../planner/index.js';

const MIB = 1024 * 1024;

async function withRig<T>(lab: Lab, fn: (rig: Rig) => Promise<T>): Promise<T> {
  const rig = openRig(lab);
  try {
    return await fn(rig);
  } finally {
    await rig.close();
  }
}

async function stored(rig: Rig, plan: Plan, orch = rig.orchestrator()): Promise<string> {
  const request = { goal: 'drain' as const, hosts: plan.target.hosts ?? [], source: 'cli' as const };
  const s = await orch.save({ plan, request, frozenInstances: [] });
  if (!s.ok) throw new Error(`maintenance held: ${JSON.stringify(s.heldBy)}`);
  return s.record.id;
}

describe.skipIf(labSkip)('drain on the real libvirt lab', () => {
  const lab = holdLab();

  it('drains lab-a: every VM (disky by block migration) ends running on its planned host', async () => {
    await resetVms();
    await withRig(lab(), async (rig) => {
      const t0 = Date.now();
      const inv = await rig.collect(undefined, 1000);
      console.info(
        `[e2e] collected ${inv.hosts.length} hosts / ${inv.instances.length} VMs with CPU sampling in ${Date.now() - t0} ms`,
      );
      expect(
        inv.instances
          .filter((i) => i.host === 'lab-a')
          .map((i) => i.name)
          .sort(),
      ).toEqual(['big', 'disky', 'small1', 'small2']);
      expect(inv.instances.find((i) => i.name === 'disky')).toMatchObject({ storage: 'local', status: 'ACTIVE' });
      const orch = rig.orchestrator();
      const plan = (await orch.plan(inv, { goal: 'drain', hosts: ['lab-a'], source: 'cli' })).plan;
      expect(plan.feasible).toBe(true);
      expect(plan.moves.find((m) => m.name === 'disky')?.mode).toBe('block');
      const id = await stored(rig, plan, orch);
      const t1 = Date.now();
      const result = await orch.execute(id);
      console.info(`[e2e] drain of lab-a (${plan.moves.length} moves) executed in ${Date.now() - t1} ms`);
      expect(result).toMatchObject({ status: 'succeeded', finalPlanId: id });
      expect((await rig.store.getPlan(id))?.status).toBe('succeeded');
      expect((await rig.store.listMoves(id)).map((m) => m.state)).toEqual(plan.moves.map(() => 'succeeded'));
      for (const m of plan.moves) {
        expect(await locate(rig, labVm(m.name)), m.name).toEqual({ runningOn: [m.to], definedOn: [m.to] });
      }
      expect((await rig.store.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([['lab-a', id]]);
    });
  }, 240_000);

  it('records progress of a bandwidth-limited migration of big with growing dataProcessed', async () => {
    await resetVms(['big']);
    await withRig(lab(), async (rig) => {
      const plan = await rig.planFor(['big']);
      const orch = rig.orchestrator({ only: ['big'], executor: { bandwidthMiBps: 64 } });
      const id = await stored(rig, plan, orch);
      const t0 = Date.now();
      expect((await orch.execute(id)).status).toBe('succeeded');
      const seconds = (Date.now() - t0) / 1000;
      const samples = await rig.store.listProgress(id, 0);
      console.info(`[e2e] big at 64 MiB/s: ${seconds.toFixed(1)} s, ${samples.length} progress samples`);
      expect(seconds).toBeGreaterThan((384 * 0.8) / 64); // the cap held: at least 80 % of 384 MiB / 64 MiB/s
      expect(samples.length).toBeGreaterThanOrEqual(4);
      const processed = samples.map((s) => s.processedBytes);
      for (let k = 1; k < processed.length; k++) expect(processed[k]).toBeGreaterThanOrEqual(processed[k - 1]);
      expect(processed.at(-1)! - processed[0]).toBeGreaterThan(200 * MIB);
      expect(Math.max(...samples.map((s) => s.totalBytes))).toBeGreaterThan(384 * MIB);
      expect(await locate(rig, labVm('big'))).toEqual({ runningOn: [plan.moves[0].to], definedOn: [plan.moves[0].to] });
    });
  }, 120_000);

  it('aborts the libvirt job at the completion timeout: big keeps running on lab-a, move timed_out', async () => {
    await resetVms(['big']);
    await withRig(lab(), async (rig) => {
      const plan = await rig.planFor(['big'], { timeoutPerGiBSeconds: 1.5 });
      expect(plan.moves[0].timeoutSeconds).toBe(3); // 1.5 s per GiB x the 2 GiB floor
      const orch = rig.orchestrator({ only: ['big'], executor: { bandwidthMiBps: 16, maxReplans: 0 } });
      const id = await stored(rig, plan, orch);
      const result = await orch.execute(id);
      expect(result.status).toBe('failed');
      expect((await rig.store.getPlan(id))?.status).toBe('failed');
      expect((await rig.store.getMove(id, 0))?.state).toBe('timed_out');
      const big = labVm('big');
      expect(['none', 'cancelled']).toContain((await rig.hv.jobProgress('lab-a', big.uuid)).type);
      expect(await locate(rig, big)).toEqual({ runningOn: ['lab-a'], definedOn: ['lab-a'] });
      expect((await rig.store.listProgress(id, 0)).length).toBeGreaterThan(0);
    });
  }, 120_000);

  it('re-plans to lab-c when the destination lab-b loses its libvirtd while big migrates', async () => {
    await resetVms(['small1', 'big']);
    await withRig(lab(), async (rig) => {
      // one migration at a time: big -> lab-c first (slowed down), then small1 -> lab-b
      const big = await rig.planFor(['big'], { avoidHosts: ['lab-b'] });
      const small = await rig.planFor(['small1'], { avoidHosts: ['lab-c'] });
      const plan = { ...big, moves: [...big.moves, ...small.moves] };
      expect(plan.moves.map((m) => [m.name, m.to])).toEqual([
        ['big', 'lab-c'],
        ['small1', 'lab-b'],
      ]);
      const orch = rig.orchestrator({
        only: ['small1', 'big'],
        executor: { bandwidthMiBps: 64, concurrency: { global: 1 } },
      });
      const id = await stored(rig, plan, orch);
      const running = orch.execute(id);
      try {
        await waitFor(
          'big migrating',
          async () =>
            (await rig.store.getMove(id, 0))?.state === 'migrating' &&
            (await rig.store.getMove(id, 1))?.state === 'pending',
          60_000,
        );
        await stopDaemon('lab-b');
        const result = await running;
        expect(result.status).toBe('succeeded');
        expect(await rig.store.getPlan(id)).toMatchObject({ status: 'superseded', supersededBy: result.finalPlanId });
        expect((await rig.store.listMoves(id)).map((m) => [m.move.name, m.state])).toEqual([
          ['big', 'succeeded'],
          ['small1', 'failed'],
        ]);
        const next = await rig.store.listMoves(result.finalPlanId);
        expect(next.map((m) => [m.move.name, m.move.to, m.state])).toEqual([['small1', 'lab-c', 'succeeded']]);
        expect(await locate(rig, labVm('small1'))).toEqual({ runningOn: ['lab-c'], definedOn: ['lab-c'] });
        expect(await locate(rig, labVm('big'))).toEqual({ runningOn: ['lab-c'], definedOn: ['lab-c'] });
        expect((await rig.store.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([
          ['lab-a', result.finalPlanId],
        ]);
      } finally {
        await running.catch(() => undefined);
        await startDaemon('lab-b');
      }
    });
  }, 120_000);
});
