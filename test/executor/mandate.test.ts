import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, hosts, mv, vms, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.cleanup());

class LeaseGone extends Error {}

describe('executor: fencing by its mandate (leader lease)', () => {
  it('a migration whose mandate is not confirmed never starts; the executor stops and the next one finishes the plan', async () => {
    let confirms = 0;
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(3, 'A'),
      options: { concurrency: { global: 1 } },
      mandate: {
        valid: () => true,
        confirm: async () => {
          // the second migration is refused: another replica took the lease meanwhile
          if (++confirms === 2) throw new LeaseGone('lease held by token 2');
        },
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B'), mv('vm2', 'A', 'B')]);
    await expect(h.executor.execute(id)).rejects.toBeInstanceOf(LeaseGone);
    expect(h.sim.migrations.map((m) => m.domainId)).toEqual(['vm0']);
    expect((await h.store.listMoves(id)).map((m) => m.state)).toEqual(['succeeded', 'prechecking', 'pending']);
    expect((await h.store.listEvents({ planId: id })).filter((e) => e.type === 'migration.started')).toHaveLength(1);

    const [r] = await h.restart({ mandate: undefined }).recover();
    expect((await r.done).status).toBe('succeeded');
    for (const vm of ['vm0', 'vm1', 'vm2']) {
      expect(h.sim.whereIs(vm)!.host).toBe('B');
      expect(h.sim.migrations.filter((m) => m.domainId === vm && m.outcome === 'completed')).toHaveLength(1);
    }
  });

  it('once the mandate lapses locally, the executor makes no further store write or hypervisor call', async () => {
    let valid = true;
    h = createHarness({
      hosts: hosts(['A', 'B']),
      domains: vms(2, 'A', { memoryMb: 16_384 }),
      options: { concurrency: { global: 1 } },
      mandate: { valid: () => valid, confirm: async () => {} },
      hooks: {
        beforeStep: (s) => {
          if (s === 'progress') valid = false;
        },
      },
    });
    const id = await h.addPlan([mv('vm0', 'A', 'B'), mv('vm1', 'A', 'B')]);
    await expect(h.executor.execute(id)).rejects.toMatchObject({ code: 'MANDATE_LAPSED' });
    const events = (await h.store.listEvents({ planId: id })).length;
    // the migration job started before the lapse is left to the hypervisor
    expect(h.sim.migrations.map((m) => m.domainId)).toEqual(['vm0']);
    expect((await h.store.getMove(id, 0))?.state).toBe('migrating');
    expect((await h.store.getMove(id, 1))?.state).toBe('pending');
    await h.clock.sleep(60_000);
    expect(await h.store.listEvents({ planId: id })).toHaveLength(events);
    expect(h.sim.whereIs('vm0')!.host).toBe('B');
  });
});
