/**
 * Execution belongs to the leader: on a replica that does not lead, starting a plan queues it in
 * the store for the leader; a lifecycle that resigns stops its executor at once and a later
 * recover (the next leader's) finishes the plan, each VM moved once.
 */
import { describe, expect, it } from 'vitest';
import { EXECUTION_REQUESTED } from '../../src/orchestrate/lifecycle.js';
import { openStore } from '../../src/store/sqlite.js';
import { simCluster, simInventory, simLifecycle, simVm, tempStorePath } from '../support/sim-world.js';

const vm = (k: number) => simVm(k, 'A', 16384);

/** Two replicas' lifecycles over one store and one simulated cluster; `leader` says which leads. */
function replicas() {
  const sim = simCluster(simInventory(['A', 'B', 'C'], [1, 2, 3].map(vm)));
  const store = openStore(tempStorePath('rb-lead-'));
  const state = { leader: 'one' as 'one' | 'two' };
  const lifecycle = (name: 'one' | 'two') =>
    simLifecycle(sim, store, {
      executorOptions: { retries: { backoffMs: 10 }, concurrency: { global: 1 } },
      leads: () => state.leader === name,
      mandate: { valid: () => state.leader === name, confirm: async () => {} },
    });
  return { cluster: sim.cluster, store, collect: sim.collect, state, one: lifecycle('one'), two: lifecycle('two') };
}

describe('execution only on the leader', () => {
  it('a standby queues an execution request in the store; the leader starts it on its poll, once', async () => {
    const { store, collect, one, two } = replicas();
    const stored = await two.save(await two.plan(await collect(), { goal: 'drain', hosts: ['A'], source: 'api' }));
    if (!stored.ok) throw new Error('claim refused');
    const id = stored.record.id;
    await two.start(id);
    expect(two.running()).toEqual([]);
    expect((await store.getPlan(id))?.status).toBe('planned');
    expect((await store.listEvents({ planId: id })).map((e) => e.type)).toEqual([EXECUTION_REQUESTED]);
    // the standby never picks up queued work
    expect(await two.startQueued()).toEqual([]);
    expect(await one.startQueued()).toEqual([id]);
    expect(await one.startQueued()).toEqual([]);
    await one.idle();
    expect((await store.getPlan(id))?.status).toBe('succeeded');
    expect(await one.startQueued()).toEqual([]);
  });

  it('a leader that resigns mid-drain stops at once; the next leader recovers and finishes it, each VM moved once', async () => {
    const { cluster, store, collect, state, one, two } = replicas();
    const stored = await one.save(await one.plan(await collect(), { goal: 'drain', hosts: ['A'], source: 'api' }));
    if (!stored.ok) throw new Error('claim refused');
    const id = stored.record.id;
    await one.start(id);
    while (cluster.migrations.length === 0) await new Promise((r) => setTimeout(r, 1));
    state.leader = 'two';
    await one.resign(new Error('lease lost'));
    expect(one.running()).toEqual([]);
    expect((await store.getPlan(id))?.status).toBe('running');
    const writes = (await store.listEvents({ planId: id })).length;
    const recovered = await two.recover();
    expect(recovered.map((r) => r.planId)).toEqual([id]);
    const result = await recovered[0].done;
    expect(result.status).toBe('succeeded');
    expect((await store.listEvents({ planId: id })).length).toBeGreaterThan(writes);
    for (const k of [1, 2, 3]) {
      expect(cluster.whereIs(vm(k).id)?.host).not.toBe('A');
      expect(cluster.migrations.filter((m) => m.domainId === vm(k).id && m.outcome === 'completed')).toHaveLength(1);
    }
    // the resigned replica got a fresh executor: it runs again once it leads again
    state.leader = 'one';
    const again = await one.save(await one.plan(await collect(), { goal: 'drain', hosts: ['B'], source: 'api' }));
    if (!again.ok) throw new Error('claim refused');
    await one.start(again.record.id);
    await one.idle();
    expect((await store.getPlan(again.record.id))?.status).toBe('succeeded');
  });
});
