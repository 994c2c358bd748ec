/** The simulated cluster's per-host index and lazy CPU accounting, and its cost at region scale. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createVirtualClock, systemClock } from '../../executor/clock.js';
import { createSimulatedCluster, simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import { demoRegion } from '../../src/demo/region.js';

function cluster() {
  const clock = createVirtualClock({ autoAdvance: true });
  const hosts = ['A', 'B', 'C'].map((name) => ({ name, cpus: 32, memoryMb: 262144, diskGb: 2000 }));
  const domains = [0, 1, 2].map((k) => ({
    id: `vm${k}`,
    host: 'A',
    vcpus: 4,
    memoryMb: 4096,
    cpuUsage: 0.5,
    dirtyRateMbps: k === 2 ? 20_000 : 0,
  }));
  return { clock, sim: createSimulatedCluster({ clock, hosts, domains, setupMs: 0 }) };
}

const names = async (sim: ReturnType<typeof cluster>['sim'], host: string) =>
  (await sim.listDomains(host)).map((d) => d.id);

describe('simulated cluster index', () => {
  it('lists and counts domains per host through migration, post-copy and landing; CPU follows the guest', async () => {
    const { clock, sim } = cluster();
    await sim.migrate({ domainId: 'vm0', domainName: 'vm0', from: 'A', to: 'B', mode: 'live' });
    expect(await names(sim, 'A')).toEqual(['vm1', 'vm2']);
    expect(await names(sim, 'B')).toEqual(['vm0']);
    expect((await sim.hostFacts('B')).freeMemoryMb).toBe(262144 - 4096);
    const done = sim.migrate({ domainId: 'vm2', domainName: 'vm2', from: 'A', to: 'C', mode: 'live', postCopy: true });
    await clock.sleep(5_000);
    await sim.startPostCopy('A', 'vm2');
    // during post-copy the domain is defined on both hosts and runs on the destination
    expect(await names(sim, 'A')).toEqual(['vm1', 'vm2']);
    expect(await names(sim, 'C')).toEqual(['vm2']);
    expect((await sim.hostFacts('A')).freeMemoryMb).toBe(262144 - 4096);
    expect((await sim.hostFacts('C')).freeMemoryMb).toBe(262144 - 4096);
    await done;
    expect(await names(sim, 'A')).toEqual(['vm1']);
    const [a0, b0] = [(await sim.hostFacts('A')).cpuTimeNs!, (await sim.hostFacts('B')).cpuTimeNs!];
    await clock.sleep(10_000);
    const [a1, b1] = [(await sim.hostFacts('A')).cpuTimeNs!, (await sim.hostFacts('B')).cpuTimeNs!];
    expect((a1 - a0) / (10_000 * 1e6)).toBeCloseTo(2, 6); // vm1 only: 4 vCPUs at 50 %
    expect((b1 - b0) / (10_000 * 1e6)).toBeCloseTo(2, 6); // vm0 moved here
  });

  it('leaves no abort listener behind on the caller signal after migrations end', async () => {
    const { sim } = cluster();
    const life = new AbortController();
    for (const [k, to] of [
      [0, 'B'],
      [1, 'C'],
      [0, 'A'],
    ] as const) {
      await sim.migrate(
        { domainId: `vm${k}`, domainName: `vm${k}`, from: k === 0 && to === 'A' ? 'B' : 'A', to, mode: 'live' },
        life.signal,
      );
    }
    expect(getEventListeners(life.signal, 'abort')).toHaveLength(0);
  });

  it('collects facts of a 3,000-host region in time proportional to its size', async () => {
    const inventory = demoRegion({ seed: 1, cells: 30, size: 3000 });
    const start = performance.now();
    const { cluster: sim } = simulatedClusterFromInventory(inventory, { clock: systemClock });
    let domains = 0;
    for (const h of inventory.hosts) {
      await sim.hostFacts(h.name);
      domains += (await sim.listDomains(h.name)).length;
    }
    const ms = performance.now() - start;
    await sim.close();
    expect(domains).toBe(inventory.instances.length);
    expect(ms).toBeLessThan(8_000); // every call scanning every domain took ~20 s here
  }, 30_000);
});
