/**
 * Execution belongs to the leader: on a replica that does not lead, starting a plan queues it in
 * the store for the leader; a lifecycle that resigns stops its executor at once and a later
 * recover (the next leader's) finishes the plan, each VM moved once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import { parseInventory, type Inventory } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { createPlanLifecycle, EXECUTION_REQUESTED } from '../../src/orchestrate/lifecycle.js';
import { openStore } from '../../src/store/sqlite.js';

const host = (name: string) => ({
  name,
  cell: 'c1',
  vcpus: 32,
  memoryMb: 65536,
  diskGb: 1000,
  hypervisorType: 'QEMU',
  hypervisorVersion: 8002000,
  cpuModel: 'Skylake-Server',
});
const vm = (k: number) => ({
  id: `00000000-0000-4000-8000-00000000000${k}`,
  name: `vm${k}`,
  host: 'A',
  status: 'ACTIVE',
  vcpus: 2,
  memoryMb: 16384,
  diskGb: 20,
});

/** Two replicas' lifecycles over one store and one simulated cluster; `leader` says which leads. */
function replicas() {
  const parsed = parseInventory({ hosts: ['A', 'B', 'C'].map(host), instances: [1, 2, 3].map(vm) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const { cluster, hosts } = simulatedClusterFromInventory(parsed.inventory, { clock, setupMs: 100 });
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'rb-lead-')), 's.sqlite'));
  const collect = (): Promise<Inventory> =>
    collectInventory({ hypervisor: cluster, hosts, clock, sampleMs: 0, dirtyRateMs: 0 });
  const state = { leader: 'one' as 'one' | 'two' };
  const lifecycle = (name: 'one' | 'two') =>
    createPlanLifecycle({
      cluster: { hypervisor: cluster, hosts },
      store,
      clock,
      collect,
      settings: { planner: {}, cooldownHours: 24 },
      executorOptions: { retries: { backoffMs: 10 }, concurrency: { global: 1 } },
      leads: () => state.leader === name,
      mandate: { valid: () => state.leader === name, confirm: async () => {} },
    });
  return { cluster, store, collect, state, one: lifecycle('one'), two: lifecycle('two') };
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
