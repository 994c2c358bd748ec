import { afterEach, describe, expect, it } from 'vitest';
import type { Exclusion } from '../../planner/index.js';
import { createHarness, hosts, mv, planOf, vms, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

describe('executor: timeouts and stalls', () => {
  it('aborts at the completion timeout; the VM stays on its source and the move is timed_out', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { dirtyRateMbps: 30_000 }),
      options: { progressTimeoutSeconds: 10_000 },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B', { timeoutSeconds: 60 })]);
    const t0 = h.clock.now();
    const r = await h.executor.execute(id);
    expect(r.status).toBe('failed');
    const m = (await h.store.getMove(id, 0))!;
    expect(m).toMatchObject({
      state: 'timed_out',
      error: { code: 'COMPLETION_TIMEOUT' },
      location: { runningOn: ['A'] },
    });
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'A', state: 'running' });
    expect(h.sim.migrations[0].outcome).toBe('aborted');
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    expect(h.clock.now() - t0).toBeLessThan(63_000);
  });

  it('detects a stall (remaining not decreasing for progressTimeoutSeconds) and aborts', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { memoryMb: 65536 }),
      options: { progressTimeoutSeconds: 20 },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    const run = h.executor.execute(id);
    await h.clock.sleep(5000);
    h.sim.faults.stall('vm0');
    const r = await run;
    expect(r.status).toBe('failed');
    expect(await h.store.getMove(id, 0)).toMatchObject({ state: 'timed_out', error: { code: 'STALLED' } });
    expect(h.sim.whereIs('vm0')!.host).toBe('A');
    const samples = await h.store.listProgress(id, 0);
    expect(samples.length).toBeGreaterThan(20);
    expect(samples.at(-1)!.remainingBytes).toBe(samples.at(-5)!.remainingBytes);
  });

  it('force_complete switches to post-copy when permitted', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { dirtyRateMbps: 30_000 }),
      options: { onTimeout: 'force_complete', permitPostCopy: true, progressTimeoutSeconds: 15 },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'B', state: 'running' });
    expect((await h.store.listEvents({ planId: id })).some((e) => e.type === 'migration.timeout')).toBe(true);
  });

  it('force_complete without post-copy pauses the guest, finishes, and resumes it on the destination', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(1, 'A', { dirtyRateMbps: 30_000 }),
      options: { onTimeout: 'force_complete', progressTimeoutSeconds: 15 },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    expect(h.sim.whereIs('vm0')).toMatchObject({ host: 'B', state: 'running' });
    const suspendedAt = (await h.store.listEvents({ planId: id })).find((e) => e.type === 'guest.suspended')!.at;
    const after = (await h.store.listProgress(id, 0)).filter((p) => p.at > suspendedAt);
    expect(after.length).toBeGreaterThan(2); // progress is still recorded while the copy finishes
    expect(after.at(-1)!.remainingBytes).toBeLessThan(after[0].remainingBytes);
  });
});

describe('executor: failures, retries and re-plans', () => {
  it('retries transient errors with backoff and then succeeds', async () => {
    h = createHarness({ hosts: hosts(['A', 'B']), domains: vms(1, 'A') });
    h.sim.faults.failMigration('vm0', { transient: true, code: 'BUSY', times: 2 });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    const t0 = h.clock.now();
    expect((await h.executor.execute(id)).status).toBe('succeeded');
    expect(await h.store.getMove(id, 0)).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(2000 + 4000); // backoff 2 s then 4 s
    expect(h.sim.migrations.map((m) => m.outcome)).toEqual(['failed', 'failed', 'completed']);
  });

  it('gives up after maxAttempts transient failures and reports failed honestly', async () => {
    h = createHarness({ hosts: hosts(['A', 'B']), domains: vms(2, 'A') });
    h.sim.faults.failMigration('vm1', { transient: true, times: 10 });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B')]);
    const r = await h.executor.execute(id);
    expect(r.status).toBe('failed');
    expect(await h.store.getMove(id, 1)).toMatchObject({
      state: 'failed',
      attempts: 3,
      error: { code: 'MIGRATION_FAILED' },
    });
    expect((await h.store.getPlan(id))!.error).toMatchObject({
      code: 'MOVES_FAILED',
      message: expect.stringContaining('vm1 failed'),
    });
    expect(h.sim.whereIs('vm0')!.host).toBe('B');
  });

  it('re-plans a permanent failure to another host: the old plan is superseded by the new one', async () => {
    const asked: { exclusions: Exclusion[]; avoidHosts: string[] }[] = [];
    h = createHarness({
      hosts: hosts(['A', 'B', 'C']),
      domains: vms(2, 'A'),
      replan: async (req) => {
        asked.push(req);
        return { plan: planOf([mv('vm1', 'A', 'C')]) };
      },
    });
    h.sim.faults.failMigration('vm1', { afterMs: 1500 });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B')]);
    const r = await h.executor.execute(id);
    expect(r.status).toBe('succeeded');
    expect(r.finalPlanId).not.toBe(id);
    expect(asked).toEqual([{ planId: id, exclusions: [{ instance: 'vm1', host: 'B' }], avoidHosts: [] }]);
    expect(await h.store.getPlan(id)).toMatchObject({ status: 'superseded', supersededBy: r.finalPlanId });
    expect(await h.store.getPlan(r.finalPlanId)).toMatchObject({
      status: 'succeeded',
      supersedes: id,
      summary: { replans: 1, earlier: [{ name: 'vm1', state: 'failed' }] },
    });
    expect(h.sim.whereIs('vm1')!.host).toBe('C');
  });

  it('avoids a destination that went down and stops after maxReplans', async () => {
    let calls = 0;
    h = createHarness({
      hosts: hosts(['A', 'B', 'C']),
      domains: vms(1, 'A'),
      options: { maxReplans: 2 },
      replan: async () => {
        calls++;
        return { plan: planOf([mv('vm0', 'A', 'C')]) };
      },
    });
    h.sim.faults.hostDown('B');
    h.sim.faults.failMigration('vm0', { times: 5 });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    const r = await h.executor.execute(id);
    expect((await h.store.getMove(id, 0))!.error!.code).toBe('DEST_UNREACHABLE');
    expect(calls).toBe(2);
    expect(r.status).toBe('failed');
    expect((await h.store.getPlan(r.finalPlanId))!.summary).toMatchObject({
      replans: 2,
      chain: [id, expect.any(String), r.finalPlanId],
    });
    expect(h.sim.whereIs('vm0')!.host).toBe('A');
  });

  it('skips a move whose VM already left its source, then re-plans from fresh state', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B', 'C']),
      domains: vms(2, 'A'),
      replan: async () => ({ plan: planOf([]) }),
    });
    h.sim.faults.moveOutOfBand('vm1', 'C');
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B')]);
    const r = await h.executor.execute(id);
    expect(await h.store.getMove(id, 1)).toMatchObject({
      state: 'skipped',
      error: { code: 'VM_NOT_ON_SOURCE' },
      location: { runningOn: [] },
    });
    expect(r.status).toBe('succeeded');
    expect(h.sim.migrations.map((m) => m.domainId)).toEqual(['vm0']);
  });

  it('fails a move whose destination has no room once migrations in flight are counted', async () => {
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(3, 'A', { memoryMb: 8192 }),
      hostConfigs: [{ name: 'B', uri: 'sim://B', cell: 'c', reservedMemoryMb: 512 * 1024 - 12 * 1024 }],
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B'), mv('vm2', 'A', 'B', { wave: 1 })]);
    const r = await h.executor.execute(id);
    expect(r.status).toBe('failed');
    expect((await h.store.listMoves(id)).map((m) => m.state)).toEqual(['succeeded', 'failed', 'pending']);
    expect((await h.store.getMove(id, 1))!.error).toMatchObject({
      code: 'DEST_NO_ROOM',
      message: expect.stringContaining('8192 MiB still arriving'),
    });
  });
});

describe('executor: host loss', () => {
  it('a destination lost mid-migration is avoided by the re-plan; the VM is still on its source meanwhile', async () => {
    const asked: string[][] = [];
    h = createHarness({
      hosts: hosts(['A', 'B', 'C']),
      domains: vms(1, 'A', { memoryMb: 32768 }),
      replan: async (req) => {
        asked.push(req.avoidHosts);
        return { plan: planOf([mv('vm0', 'A', 'C')]) };
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    const run = h.executor.execute(id);
    await h.clock.sleep(5000);
    h.sim.faults.hostDown('B');
    const r = await run;
    expect(await h.store.getMove(id, 0)).toMatchObject({ state: 'failed', error: { code: 'DEST_UNREACHABLE' } });
    expect((await h.store.getMove(id, 0))!.attempts).toBe(2);
    expect(asked).toEqual([['B']]);
    expect(r.status).toBe('succeeded');
    expect(h.sim.whereIs('vm0')!.host).toBe('C');
  });
});

describe('executor: unresponsive hosts', () => {
  it('bounds a hypervisor call that never answers, then re-plans away from that host', async () => {
    const asked: string[][] = [];
    h = createHarness({ hosts: hosts(['A', 'B', 'C']), domains: vms(1, 'A') });
    const sim = h.sim;
    const hanging = new Proxy(sim, {
      get: (obj, prop, r) =>
        prop === 'hostFacts'
          ? (host: string, s?: AbortSignal) => (host === 'B' ? new Promise(() => undefined) : obj.hostFacts(host, s))
          : Reflect.get(obj, prop, r),
    });
    const exec = h.restart({
      hypervisor: hanging,
      options: { callTimeoutMs: 5000, retries: { maxAttempts: 2, backoffMs: 1000 } },
      replan: async (req) => {
        asked.push(req.avoidHosts);
        return { plan: planOf([mv('vm0', 'A', 'C')]) };
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B')]);
    const t0 = h.clock.now();
    const r = await exec.execute(id);
    expect(await h.store.getMove(id, 0)).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: { code: 'HOST_UNREACHABLE', message: expect.stringContaining('within 5000 ms') },
    });
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(2 * 5000 + 1000);
    expect(asked).toEqual([['B']]);
    expect(r.status).toBe('succeeded');
  });
});
