import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, hosts, mv, vms, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

async function sixMoves() {
  h = createHarness({ hosts: hosts(['A', 'B', 'C'], { nicMbps: 1000 }), domains: vms(6, 'A') });
  return await h.addPlan(Array.from({ length: 6 }, (_, k) => mv(`vm${k}`, 'A', k % 2 ? 'C' : 'B')));
}

describe('executor: cancellation', () => {
  it('wait: moves in flight finish, no new move starts, the plan ends cancelled', async () => {
    const id = await sixMoves();
    const run = h.executor.execute(id);
    await h.clock.sleep(5000);
    expect(await h.executor.cancel(id, 'wait')).toBe('cancelling');
    expect((await h.store.getPlan(id))!.status).toBe('cancelling');
    const r = await run;
    expect(r.status).toBe('cancelled');
    const states = (await h.store.listMoves(id)).map((m) => m.state);
    expect(states).toEqual(['succeeded', 'succeeded', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(h.sim.migrations).toHaveLength(2);
    expect(['vm0', 'vm1', 'vm2'].map((v) => h.sim.whereIs(v)!.host)).toEqual(['B', 'C', 'A']);
  });

  it('abort: moves in flight are aborted and their VMs stay on the source', async () => {
    const id = await sixMoves();
    const run = h.executor.execute(id);
    await h.clock.sleep(5000);
    await h.executor.cancel(id, 'abort');
    const r = await run;
    expect(r.status).toBe('cancelled');
    expect((await h.store.listMoves(id)).every((m) => m.state === 'cancelled')).toBe(true);
    expect((await h.store.getMove(id, 0))!.location).toEqual({ runningOn: ['A'], definedOn: ['A'] });
    expect(h.sim.migrations.map((m) => m.outcome)).toEqual(['aborted', 'aborted']);
    expect([0, 1, 2, 3, 4, 5].every((k) => h.sim.whereIs(`vm${k}`)!.host === 'A')).toBe(true);
  });

  it('a plan not started yet is cancelled at once; a finished one keeps its status', async () => {
    const id = await sixMoves();
    expect(await h.executor.cancel(id)).toBe('cancelled');
    await expect(h.executor.execute(id)).rejects.toMatchObject({ code: 'PLAN_NOT_RUNNABLE' });
    const other = await h.addPlan([mv('vm0', 'A', 'B')]);
    await h.executor.execute(other);
    expect(await h.executor.cancel(other)).toBe('succeeded');
  });

  it('honours a cancellation written to the store by another process', async () => {
    const id = await sixMoves();
    const run = h.executor.execute(id);
    await h.clock.sleep(5000);
    await h.store.setPlanStatus(id, 'cancelling', h.clock.now());
    expect((await run).status).toBe('cancelled');
    expect(h.sim.migrations).toHaveLength(2);
  });

  it('execute and cancel racing on a planned plan: one status change wins, the other sees it', async () => {
    const id = await sixMoves();
    const [run, asked] = await Promise.allSettled([h.executor.execute(id), h.executor.cancel(id, 'wait')]);
    const final = (await h.store.getPlan(id))!.status;
    if (run.status === 'rejected') {
      // the cancel changed planned -> cancelled first: nothing ran
      expect(run.reason).toMatchObject({ code: 'PLAN_NOT_RUNNABLE' });
      expect(asked).toMatchObject({ status: 'fulfilled', value: 'cancelled' });
      expect(h.sim.migrations).toHaveLength(0);
    } else {
      // the executor started it first: the cancel asked it to stop
      expect(asked).toMatchObject({ status: 'fulfilled', value: 'cancelling' });
      expect(run.value.status).toBe('cancelled');
    }
    expect(final).toBe('cancelled');
  });

  it('two execute calls at once start the plan once', async () => {
    const id = await sixMoves();
    const [a, b] = await Promise.allSettled([h.executor.execute(id), h.executor.execute(id)]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'PLAN_ALREADY_RUNNING' });
    expect((await h.store.listEvents({ planId: id })).filter((e) => e.type === 'plan.started')).toHaveLength(1);
    expect((await h.store.getPlan(id))!.status).toBe('succeeded');
  });
});
