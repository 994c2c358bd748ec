import { afterEach, describe, expect, it } from 'vitest';
import type { MoveStep } from '../../executor/index.js';
import { createHarness, hosts, mv, peakConcurrency, planOf, vms, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

class Crash extends Error {}

const DEST = ['B', 'C', 'B', 'C', 'B'];
const cases: [MoveStep, number][] = [];
for (const s of ['precheck', 'migrate', 'progress', 'verify', 'finish'] as MoveStep[])
  for (const n of [1, 2, 4]) cases.push([s, n]);

describe('executor: crash recovery', () => {
  it.each(cases)(
    'crash before step %s (occurrence %i): after recover() every VM is on its destination, moved once',
    async (stepName, n) => {
      let seen = 0;
      h = createHarness({
        hosts: hosts(['A', 'B', 'C'], { nicMbps: 2000 }),
        domains: vms(5, 'A', { dirtyRateMbps: 200 }),
        durability: 'normal', // survives a process crash, which is what this test simulates
        hooks: {
          beforeStep: (s) => {
            if (s === stepName && ++seen === n) throw new Crash(`crash at ${s} #${n}`);
          },
        },
      });
      const id = await h.addPlan(DEST.map((to, k) => mv(`vm${k}`, 'A', to, { wave: k < 3 ? 0 : 1 })));
      await expect(h.executor.execute(id)).rejects.toBeInstanceOf(Crash);
      const states = (await h.store.listMoves(id)).map((m) => m.state);
      expect(states.some((s) => s !== 'succeeded')).toBe(true);

      await h.clock.sleep(3000); // the dead process is gone; migrations it started run on
      const exec = h.restart();
      const resumed = await exec.recover();
      expect(resumed.map((r) => r.planId)).toEqual([id]);
      const result = await resumed[0].done;
      expect(result.status).toBe('succeeded');
      DEST.forEach((to, k) => {
        expect(h.sim.whereIs(`vm${k}`)).toMatchObject({ host: to, state: 'running' });
      });
      for (let k = 0; k < 5; k++) {
        expect(h.sim.migrations.filter((m) => m.domainId === `vm${k}` && m.outcome === 'completed')).toHaveLength(1);
      }
      expect((await h.store.listMoves(id)).every((m) => m.state === 'succeeded')).toBe(true);
      const peak = await peakConcurrency(h.store);
      expect(peak.out).toBeLessThanOrEqual(2);
      expect(peak.in).toBeLessThanOrEqual(2);
    },
  );

  it('resumes watching a migration left running and still applies its timeout', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { dirtyRateMbps: 30_000 }),
      hooks: {
        beforeStep: (s) => {
          if (s === 'progress') throw new Crash('crash');
        },
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B', { timeoutSeconds: 30 })]);
    await expect(h.executor.execute(id)).rejects.toBeInstanceOf(Crash);
    expect(h.sim.activeJobs()).toHaveLength(1);
    const [r] = await h.restart().recover();
    expect((await r.done).status).toBe('failed');
    expect(await h.store.getMove(id, 0)).toMatchObject({ state: 'timed_out', error: { code: 'COMPLETION_TIMEOUT' } });
    expect(h.sim.whereIs('vm0')!.host).toBe('A');
    expect((await h.store.listEvents({ planId: id })).map((e) => e.type)).toContain('migration.resumed');
  });

  it('finishes a plan left cancelling as cancelled', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(3, 'A'),
      hooks: {
        beforeStep: (s) => {
          if (s === 'verify') throw new Crash('crash');
        },
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B'), mv('vm2', 'A', 'B')]);
    await expect(h.executor.execute(id)).rejects.toBeInstanceOf(Crash);
    await h.store.setPlanStatus(id, 'cancelling', h.clock.now());
    const [r] = await h.restart().recover();
    expect((await r.done).status).toBe('cancelled');
    expect((await h.store.getMove(id, 0))!.state).toBe('succeeded');
    expect((await h.store.getMove(id, 2))!.state).toBe('cancelled');
  });
});

describe('executor: recovery of a half-linked re-plan', () => {
  it('links a re-plan left running beside its predecessor and resumes only the new plan', async () => {
    h = createHarness({ hosts: hosts(['A', 'B', 'C']), domains: vms(1, 'A') });
    const oldId = await h.addPlan([mv('vm0', 'A', 'B')]);
    await h.store.setPlanStatus(oldId, 'running', h.clock.now());
    await h.store.updateMove(
      oldId,
      0,
      { state: 'failed', error: { code: 'MIGRATION_FAILED', message: 'x' } },
      h.clock.now(),
    );
    const next = await h.store.createPlan({
      plan: planOf([mv('vm0', 'A', 'C')]),
      source: 'cli',
      status: 'running',
      supersedes: oldId,
      at: h.clock.now(),
    });
    const resumed = await h.restart().recover();
    expect(resumed.map((r) => r.planId)).toEqual([next.id]);
    expect((await resumed[0].done).status).toBe('succeeded');
    expect(await h.store.getPlan(oldId)).toMatchObject({ status: 'superseded', supersededBy: next.id });
    expect(h.sim.whereIs('vm0')!.host).toBe('C');
  });
});

describe('executor: recovery after a forced completion', () => {
  it('resumes on the destination a guest the stopped process had paused', async () => {
    let polls = 0;
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { dirtyRateMbps: 30_000, memoryMb: 65536 }),
      options: { onTimeout: 'force_complete', progressTimeoutSeconds: 10 },
      hooks: {
        beforeStep: (s) => {
          if (s === 'progress' && ++polls === 15) throw new Crash('crash');
        },
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    await expect(h.executor.execute(id)).rejects.toBeInstanceOf(Crash);
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'A', state: 'paused' });
    const [r] = await h.restart({ options: { onTimeout: 'force_complete', progressTimeoutSeconds: 10 } }).recover();
    expect((await r.done).status).toBe('succeeded');
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'B', state: 'running' });
  });
});
