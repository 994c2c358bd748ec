import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import { parseInventory, type Inventory } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { createOrchestrator } from '../../src/orchestrate/orchestrator.js';
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
  memoryMb: 4096,
  diskGb: 20,
});

function world() {
  const parsed = parseInventory({ hosts: ['A', 'B', 'C'].map(host), instances: [1, 2, 3].map(vm) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const { cluster, hosts } = simulatedClusterFromInventory(parsed.inventory, { clock, setupMs: 100 });
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'rb-orch-')), 's.sqlite'));
  const collect = (): Promise<Inventory> => collectInventory({ hypervisor: cluster, hosts, clock, sampleMs: 0 });
  const orch = createOrchestrator({
    hypervisor: cluster,
    hosts,
    store,
    clock,
    collect,
    executor: { retries: { backoffMs: 10 } },
  });
  return { cluster, store, collect, orch };
}

describe('orchestrator over a simulated cluster', () => {
  it('drains a host; a failed move is re-planned from a fresh inventory to another host', async () => {
    const { cluster, store, collect, orch } = world();
    const plan = orch.planDrain(await collect(), ['A']);
    expect(plan.feasible).toBe(true);
    const first = plan.moves[0];
    cluster.faults.failMigration((req) => req.domainId === first.instance && req.to === first.to, { times: 5 });
    const stored = orch.storePlan(plan, 'cli');
    if (!stored.ok) throw new Error('claim refused');
    const result = await orch.executor.execute(stored.record.id);
    expect(result.status).toBe('succeeded');
    expect(store.getPlan(stored.record.id)).toMatchObject({ status: 'superseded', supersededBy: result.finalPlanId });
    const retried = store.listMoves(result.finalPlanId).find((m) => m.move.instance === first.instance);
    expect(retried?.move.to).not.toBe(first.to);
    expect(cluster.whereIs(first.instance)?.host).toBe(retried?.move.to);
    for (const k of [1, 2, 3]) expect(cluster.whereIs(vm(k).id)?.host).not.toBe('A');
    expect(store.listMaintenance().map((m) => [m.host, m.planId])).toEqual([['A', result.finalPlanId]]);
  });

  it('never plans onto hosts in maintenance', async () => {
    const { store, collect, orch } = world();
    store.claimMaintenance(['B'], { reason: 'manual', planId: null, at: 0 });
    const plan = orch.planDrain(await collect(), ['A']);
    expect(new Set(plan.moves.map((m) => m.to))).toEqual(new Set(['C']));
  });

  it('takes over maintenance left by manual claims or ended plans, refuses one held by a live plan', async () => {
    const { store, collect, orch } = world();
    const plan = orch.planDrain(await collect(), ['A']);
    store.claimMaintenance(['A'], { reason: 'manual', planId: null, at: 0 });
    const one = orch.storePlan(plan, 'cli');
    expect(one.ok).toBe(true);
    const refused = orch.storePlan(plan, 'cli');
    expect(refused).toMatchObject({ ok: false, heldBy: [{ host: 'A', planId: one.ok ? one.record.id : '' }] });
    if (one.ok) store.setPlanStatus(one.record.id, 'failed', 1);
    const three = orch.storePlan(plan, 'cli');
    expect(three.ok).toBe(true);
    expect(store.listMaintenance().map((m) => m.planId)).toEqual([three.ok ? three.record.id : '']);
  });

  it('runs stored plans in the background and reports when idle', async () => {
    const { store, collect, orch } = world();
    const stored = orch.storePlan(orch.planDrain(await collect(), ['A']), 'api');
    if (!stored.ok) throw new Error('claim refused');
    orch.runner.start(stored.record.id);
    expect(orch.runner.running()).toEqual([stored.record.id]);
    expect(orch.runner.cancel('no-such-plan')).toBe(false);
    await orch.runner.idle();
    expect(orch.runner.running()).toEqual([]);
    expect(store.getPlan(stored.record.id)?.status).toBe('succeeded');
  });
});
