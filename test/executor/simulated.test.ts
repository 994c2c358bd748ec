import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { scaledClock } from '../../src/demo/clock.js';
import { HypervisorError } from '../../executor/hypervisor/errors.js';
import { createSimulatedCluster, simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type { SimDomainSpec } from '../../executor/hypervisor/simulated/index.js';
import { parseInventory } from '../../planner/index.js';

const GIB = 1024 ** 3;
const TEN_GBIT = 1.25e9; // bytes/s

function cluster(domains: Partial<SimDomainSpec>[], setupMs = 1000) {
  const clock = createVirtualClock({ autoAdvance: true });
  const hosts = ['A', 'B', 'C'].map((name) => ({ name, cpus: 32, memoryMb: 262144, diskGb: 2000 }));
  const sim = createSimulatedCluster({
    clock,
    hosts,
    setupMs,
    domains: domains.map((d, k) => ({ id: `vm${k}`, host: 'A', vcpus: 2, memoryMb: 4096, ...d })),
  });
  return { clock, sim };
}

describe('simulated cluster', () => {
  it('migrates a quiet guest in set-up plus memory / bandwidth, then it runs only on the destination', async () => {
    const { clock, sim } = cluster([{}]);
    await sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' });
    expect(clock.now()).toBeCloseTo(1000 + ((4 * GIB) / TEN_GBIT) * 1000, 0);
    expect(await sim.locate('vm0', ['A', 'B', 'C'])).toEqual({ runningOn: ['B'], definedOn: ['B'] });
    expect(sim.migrations[0]).toMatchObject({ outcome: 'completed', from: 'A', to: 'B' });
  });

  it('shares a NIC between two migrations leaving one host', async () => {
    const { clock, sim } = cluster([{}, {}], 0);
    await Promise.all([
      sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' }),
      sim.migrate({ domainId: 'vm1', domainName: 'vm1', from: 'A', to: 'C', mode: 'live' }),
    ]);
    expect(clock.now()).toBeCloseTo(((8 * GIB) / TEN_GBIT) * 1000, 0);
  });

  it('copies local disks first for block migration and honours a bandwidth cap', async () => {
    const disks = [
      { target: 'vda', source: null, storage: 'local' as const, device: 'disk' as const, readonly: false, sizeGb: 10 },
    ];
    const { clock, sim } = cluster([{ disks }], 0);
    await sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'block', bandwidthMiBps: 512 });
    expect(clock.now()).toBeCloseTo(((14 * 1024) / 512) * 1000, 0);
  });

  it('never converges when the guest dirties faster than the link, until post-copy', async () => {
    const { clock, sim } = cluster([{ dirtyRateMbps: 20_000 }]);
    const done = sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live', postCopy: true });
    await clock.sleep(30_000);
    const a = await sim.jobProgress('A', 'vm0');
    await clock.sleep(30_000);
    const b = await sim.jobProgress('A', 'vm0');
    expect(a.type).toBe('unbounded');
    expect(b.dataRemaining).toBeGreaterThanOrEqual(a.dataRemaining);
    expect(b.dataProcessed).toBeGreaterThan(a.dataProcessed);
    await sim.startPostCopy('A', 'vm0');
    expect((await sim.locate('vm0', ['A', 'B'])).runningOn).toEqual(['B']);
    await done;
    expect(sim.whereIs('vm0')).toMatchObject({ host: 'B', state: 'running', postCopyTo: null });
  });

  it('converges a busy guest with auto-converge', async () => {
    const { sim } = cluster([{ dirtyRateMbps: 12_000 }]);
    await sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live', autoConverge: true });
    expect(sim.whereIs('vm0')!.host).toBe('B');
  });

  it('aborting leaves the guest running on the source', async () => {
    const { clock, sim } = cluster([{ dirtyRateMbps: 20_000 }]);
    const done = sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' });
    await clock.sleep(5000);
    await sim.abortJob('A', 'vm0');
    await expect(done).rejects.toMatchObject({ code: 'ABORTED', transient: false });
    expect(await sim.locate('vm0', ['A', 'B'])).toEqual({ runningOn: ['A'], definedOn: ['A'] });
    expect((await sim.jobProgress('A', 'vm0')).type).toBe('none');
  });

  it('raises injected transient and permanent failures', async () => {
    const { sim } = cluster([{}]);
    sim.faults.failMigration('vm0', { transient: true, afterMs: 2000 });
    sim.faults.failMigration('vm0', { code: 'MIGRATION_FAILED' });
    const req = { domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' as const };
    const first = await sim.migrate(req).catch((e) => e);
    expect(first).toBeInstanceOf(HypervisorError);
    expect(first).toMatchObject({ transient: true });
    await expect(sim.migrate(req)).rejects.toMatchObject({ transient: false });
    await sim.migrate(req);
    expect(sim.whereIs('vm0')!.host).toBe('B');
  });

  it('cuts off a lost host: facts say unreachable, calls fail transiently, running migrations fail', async () => {
    const { clock, sim } = cluster([{}]);
    const done = sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' });
    await clock.sleep(1500);
    sim.faults.hostDown('B');
    await expect(done).rejects.toMatchObject({ code: 'HOST_UNREACHABLE', transient: true });
    expect((await sim.hostFacts('B')).reachable).toBe(false);
    await expect(sim.listDomains('B')).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
    expect(await sim.locate('vm0', ['A', 'B'])).toEqual({ runningOn: ['A'], definedOn: ['A'] });
  });

  it('refuses what libvirt refuses: wrong source, cold migration of a running guest, a second job', async () => {
    const { sim } = cluster([{}, { state: 'shutoff' }]);
    await expect(
      sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'B', to: 'C', mode: 'live' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'C', mode: 'cold' }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    const running = sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' });
    await expect(
      sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'C', mode: 'live' }),
    ).rejects.toMatchObject({ code: 'BUSY', transient: true });
    await running;
    await sim.migrate({ domainId: 'vm1', domainName: 'vm1', from: 'A', to: 'C', mode: 'cold' });
    expect(sim.whereIs('vm1')).toMatchObject({ host: 'C', state: 'shutoff' });
  });

  it('accumulates guest CPU time so that two samples give utilisation', async () => {
    const { clock, sim } = cluster([{ cpuUsage: 0.5, vcpus: 4 }]);
    const t0 = (await sim.listDomains('A'))[0].cpuTimeNs;
    const h0 = (await sim.hostFacts('A')).cpuTimeNs!;
    await clock.sleep(10_000);
    const t1 = (await sim.listDomains('A'))[0].cpuTimeNs;
    const h1 = (await sim.hostFacts('A')).cpuTimeNs!;
    expect((t1 - t0) / (10_000 * 1e6 * 4)).toBeCloseTo(0.5, 6);
    expect((h1 - h0) / (10_000 * 1e6 * 32)).toBeCloseTo(2 / 32, 6);
  });

  it('builds from an inventory with host configs carrying cell, ratios and bandwidth', async () => {
    const parsed = parseInventory({
      hosts: [
        {
          name: 'H1',
          cell: 'c1',
          vcpus: 8,
          memoryMb: 32768,
          diskGb: 100,
          hypervisorType: 'QEMU',
          hypervisorVersion: 7,
          cpuModel: 'X',
          cpuAllocationRatio: 4,
          migrationBandwidthMbps: 1000,
        },
        {
          name: 'H2',
          cell: 'c1',
          state: 'down',
          vcpus: 8,
          memoryMb: 32768,
          diskGb: 100,
          hypervisorType: 'QEMU',
          hypervisorVersion: 7,
          cpuModel: 'X',
        },
      ],
      instances: [{ id: 'i1', host: 'H1', status: 'PAUSED', vcpus: 2, memoryMb: 2048, diskGb: 10, storage: 'local' }],
    });
    if (!parsed.ok) throw new Error('fixture invalid');
    const { cluster: sim, hosts } = simulatedClusterFromInventory(parsed.inventory, { clock: createVirtualClock() });
    expect(hosts[0]).toMatchObject({
      name: 'H1',
      cell: 'c1',
      cpuAllocationRatio: 4,
      migrationBandwidthMbps: 1000,
      compatibleCpuModels: ['X'],
    });
    expect((await sim.hostFacts('H2')).reachable).toBe(false);
    expect(await sim.listDomains('H1')).toMatchObject([
      { id: 'i1', state: 'paused', disks: [{ storage: 'local', sizeGb: 10 }] },
    ]);
    expect((await sim.hostFacts('H1')).freeMemoryMb).toBe(32768 - 2048);
  });
});

describe('simulated cluster in scaled real time (demo mode)', () => {
  it('completes a migration after its simulated duration divided by the speed', async () => {
    const clock = scaledClock(200);
    const sim = createSimulatedCluster({
      clock,
      hosts: [
        { name: 'A', cpus: 4, memoryMb: 65536, diskGb: 10 },
        { name: 'B', cpus: 4, memoryMb: 65536, diskGb: 10 },
      ],
      domains: [{ id: 'v', host: 'A', vcpus: 1, memoryMb: 8192 }],
    });
    const t0 = clock.now();
    const r0 = Date.now();
    await sim.migrate({ domainId: 'v', domainName: 'v', from: 'A', to: 'B', mode: 'live' });
    const simulated = clock.now() - t0;
    expect(simulated).toBeGreaterThanOrEqual(1000 + ((8 * GIB) / TEN_GBIT) * 1000 - 50);
    expect(Date.now() - r0).toBeLessThan(simulated / 20);
    expect(sim.whereIs('v')!.host).toBe('B');
  });
});

describe('virtual clock', () => {
  it('fires timers in deadline order only when advanced', async () => {
    const clock = createVirtualClock({ start: 100 });
    const fired: number[] = [];
    void clock.sleep(30).then(() => fired.push(clock.now()));
    void clock.sleep(10).then(() => fired.push(clock.now()));
    await clock.advance(5);
    expect(fired).toEqual([]);
    await clock.advance(100);
    expect(fired).toEqual([110, 130]);
    expect(clock.now()).toBe(205);
  });

  it('rejects an aborted sleep and forgets its timer', async () => {
    const clock = createVirtualClock();
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
  });
});
