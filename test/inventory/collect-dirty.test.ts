/** Dirty rates measured during collection (src/inventory/dirty.ts) over the simulated cluster. */
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { createSimulatedCluster } from '../../executor/hypervisor/simulated/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { domain, fakeHypervisor } from './fake-hypervisor.js';

function rig() {
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const sim = createSimulatedCluster({
    clock,
    hosts: ['A', 'B'].map((name) => ({ name, cpus: 16, memoryMb: 65536, diskGb: 500 })),
    domains: [
      { id: 'busy', host: 'A', vcpus: 1, memoryMb: 4096, dirtyRateMbps: 800 },
      { id: 'quiet', host: 'A', vcpus: 1, memoryMb: 1024 },
      { id: 'off', host: 'B', vcpus: 1, memoryMb: 1024, state: 'shutoff', dirtyRateMbps: 800 },
      { id: 'moving', host: 'B', vcpus: 1, memoryMb: 65536, dirtyRateMbps: 400 },
    ],
  });
  const hosts = ['A', 'B'].map((name) => ({ name, uri: `sim://${name}`, cell: 'c1' }));
  return { clock, sim, hosts };
}
const rate = (inv: { instances: { id: string; dirtyRateMbps: number | null }[] }, id: string) =>
  inv.instances.find((i) => i.id === id)!.dirtyRateMbps;

describe('dirty rates during collection', () => {
  it('fills dirtyRateMbps of running guests, skips migrating and shut-off ones, within the sampling gap', async () => {
    const { clock, sim, hosts } = rig();
    const migration = sim.migrate({ domainId: 'moving', domainName: 'moving', from: 'B', to: 'A', mode: 'live' });
    migration.catch(() => undefined);
    const t0 = clock.now();
    const inv = await collectInventory({ hypervisor: sim, hosts, clock, sampleMs: 1000, dirtyRateMs: 1000 });
    // 800 Mbit/s = 95.4 MiB/s, measured in whole MiB/s as libvirt reports it: 95 MiB/s = 796.9 Mbit/s
    expect(rate(inv, 'busy')).toBeCloseTo(796.9, 1);
    expect(rate(inv, 'quiet')).toBe(0);
    expect(rate(inv, 'off')).toBeNull();
    expect(rate(inv, 'moving')).toBeNull();
    expect(clock.now() - t0).toBeLessThan(1500);
    await sim.abortJob('B', 'moving');
  });

  it('dirtyRateMs 0 measures nothing; a longer measurement lengthens the gap', async () => {
    const { clock, sim, hosts } = rig();
    const off = await collectInventory({ hypervisor: sim, hosts, clock, sampleMs: 1000, dirtyRateMs: 0 });
    expect(rate(off, 'busy')).toBeNull();
    const t0 = clock.now();
    const long = await collectInventory({ hypervisor: sim, hosts, clock, sampleMs: 1000, dirtyRateMs: 2500 });
    expect(clock.now() - t0).toBeGreaterThanOrEqual(3000); // rounded up to 3 whole seconds
    expect(rate(long, 'busy')).toBeCloseTo(796.9, 1);
  });

  it('a hypervisor that cannot measure leaves the rates unknown and the hosts up', async () => {
    const hv = fakeHypervisor({ h1: { domains: [domain('d1')] } });
    const hosts = [{ name: 'h1', uri: 'x', cell: 'c' }];
    const inv = await collectInventory({ hypervisor: hv, hosts, sampleMs: 0, dirtyRateMs: 10 });
    expect(inv.hosts[0].state).toBe('up');
    expect(rate(inv, 'd1')).toBeNull();
  });
});
