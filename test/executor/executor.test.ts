import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, hosts, mv, peakConcurrency, vms, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

describe('executor: basic runs', () => {
  it('drains a host: every move succeeds, VMs run on their destinations, progress recorded', async () => {
    h = createHarness({ hosts: hosts(['A', 'B', 'C']), domains: vms(4, 'A', { dirtyRateMbps: 100 }) });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'C'), mv('vm2', 'A', 'B'), mv('vm3', 'A', 'C')]);
    const result = await h.executor.execute(id);
    expect(result).toMatchObject({ status: 'succeeded', finalPlanId: id });
    expect((await h.store.getPlan(id))!.status).toBe('succeeded');
    expect(['vm0', 'vm1', 'vm2', 'vm3'].map((v) => h.sim.whereIs(v)!.host)).toEqual(['B', 'C', 'B', 'C']);
    expect((await h.store.listMoves(id)).every((m) => m.state === 'succeeded' && m.attempts === 1)).toBe(true);
    expect((await h.store.listProgress(id, 0)).length).toBeGreaterThan(1);
    expect((await h.store.moveHistory(id, 0)).map((x) => x.state)).toEqual([
      'pending',
      'prechecking',
      'migrating',
      'verifying',
      'succeeded',
    ]);
    expect(h.sim.migrations).toHaveLength(4);
  });

  it('never exceeds the concurrency limits, checked over the persisted event log (240 moves)', async () => {
    const names = ['H0', 'H1', 'H2', 'H3', 'H4', 'H5'];
    const domains = names.flatMap((n) => vms(40, n, { memoryMb: 1024 }, `${n}-vm`));
    h = createHarness({
      hosts: hosts(names, { nicMbps: 1000 }),
      domains,
      durability: 'normal',
      options: { concurrency: { global: 5, perHostOutbound: 2, perHostInbound: 1 } },
    });
    const moves = domains.map((d, k) =>
      mv(d.id, d.host, names[(names.indexOf(d.host) + 1 + (k % 5)) % 6], { wave: k % 3 }),
    );
    const id = await h.addPlan(moves);
    const result = await h.executor.execute(id);
    expect(result.status).toBe('succeeded');
    const peak = await peakConcurrency(h.store);
    expect(peak.global).toBeLessThanOrEqual(5);
    expect(peak.out).toBeLessThanOrEqual(2);
    expect(peak.in).toBeLessThanOrEqual(1);
    expect(peak.global).toBeGreaterThanOrEqual(3); // limits are used, not just respected by running one at a time
    expect(h.sim.migrations).toHaveLength(240);
  }, 60_000);

  it('runs waves in order: no move of wave 1 starts before every move of wave 0 ended', async () => {
    h = createHarness({ hosts: hosts(['A', 'B', 'C']), domains: [...vms(3, 'A'), ...vms(2, 'B', {}, 'b')] });
    const id = await h.addPlan([
      mv('vm0', 'A', 'C'),
      mv('vm1', 'A', 'C'),
      mv('b0', 'B', 'A', { wave: 1 }),
      mv('vm2', 'A', 'B', { wave: 1 }),
      mv('b1', 'B', 'C'),
    ]);
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    const ends = h.sim.migrations.filter((m) => ['vm0', 'vm1', 'b1'].includes(m.domainId)).map((m) => m.endedAt!);
    const starts = h.sim.migrations.filter((m) => ['b0', 'vm2'].includes(m.domainId)).map((m) => m.startedAt);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(Math.max(...ends));
  });

  it('rejects unknown and already finished plans with the id received', async () => {
    h = createHarness({ hosts: hosts(['A', 'B']), domains: vms(1, 'A') });
    await expect(h.executor.execute('nope')).rejects.toMatchObject({
      code: 'PLAN_NOT_FOUND',
      message: expect.stringContaining('nope'),
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    await h.executor.execute(id);
    await expect(h.executor.execute(id)).rejects.toMatchObject({ code: 'PLAN_NOT_RUNNABLE' });
  });
});
