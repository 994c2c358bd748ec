/**
 * Round trip: a simulated cluster built from a fixture inventory, collected back, gives the same
 * hosts, instances and placement (measured CPU utilisation within sampling noise).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import { parseInventory, type Instance, type Inventory } from '../../planner/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { demoRegion } from '../../src/demo/region.js';

function fixture(name: string): Inventory {
  const parsed = parseInventory(
    JSON.parse(readFileSync(new URL(`../fixtures/scenarios/${name}.json`, import.meta.url), 'utf8')),
  );
  if (!parsed.ok) throw new Error(`fixture ${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.inventory;
}

/** What the collector cannot know: dirty rates; disk size of non-local instances (not on the host). */
function comparable(i: Instance) {
  return { ...i, cpuUsage: null, dirtyRateMbps: null, diskGb: i.storage === 'local' ? i.diskGb : 0 };
}

async function roundTrip(inv: Inventory, sampleMs = 1000) {
  const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
  const { cluster, hosts } = simulatedClusterFromInventory(inv, { clock });
  const collected = await collectInventory({
    hypervisor: cluster,
    hosts,
    serverGroups: inv.serverGroups,
    clock,
    sampleMs,
  });
  return collected;
}

describe('collectInventory over a simulated cluster', () => {
  it.each(['seed-example', 'storage-modes', 'server-groups', 'cpu-compat', 'cell-boundary'])(
    'gives back fixture %s',
    async (name) => {
      const inv = fixture(name);
      const got = await roundTrip(inv);
      expect(got.hosts.map((h) => ({ ...h, cpuUsage: null }))).toEqual(
        inv.hosts.map((h) => ({ ...h, cpuUsage: null })),
      );
      const byId = new Map(got.instances.map((i) => [i.id, i]));
      expect(got.instances).toHaveLength(inv.instances.length);
      for (const want of inv.instances) {
        const have = byId.get(want.id);
        expect(have && comparable(have), want.id).toEqual(comparable(want));
        if (want.status === 'ACTIVE' && want.cpuUsage !== null)
          expect(have!.cpuUsage!, want.id).toBeCloseTo(want.cpuUsage, 2);
      }
      expect(got.serverGroups).toEqual(inv.serverGroups);
    },
  );

  it('measures host utilisation from the hosts CPU time', async () => {
    const inv = fixture('seed-example');
    inv.hosts[0].cpuUsage = 0.6;
    const got = await roundTrip(inv);
    expect(got.hosts[0].cpuUsage).toBeCloseTo(0.6, 2);
  });

  it('reports a down host without instances and leaves cpuUsage unknown without a second sample', async () => {
    const inv = fixture('storage-modes');
    const down = inv.hosts[1].name;
    inv.hosts[1].state = 'down';
    const got = await roundTrip(inv, 0);
    expect(got.hosts.find((h) => h.name === down)?.state).toBe('down');
    expect(got.instances.filter((i) => i.host === down)).toEqual([]);
    expect(got.instances.filter((i) => i.host !== down)).toHaveLength(
      inv.instances.filter((i) => i.host !== down).length,
    );
    expect(got.instances.every((i) => i.cpuUsage === null)).toBe(true);
  });

  it('lets the event loop turn while it collects many hosts whose calls settle at once', async () => {
    const inv = demoRegion({ seed: 3, cells: 2, size: 200 });
    const clock = createVirtualClock({ start: 1_700_000_000_000, autoAdvance: true });
    const { cluster, hosts } = simulatedClusterFromInventory(inv, { clock });
    // a chain of macrotasks runs only when the collection yields: in one synchronous run it counts nothing
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const got = await collectInventory({ hypervisor: cluster, hosts, clock, sampleMs: 0, dirtyRateMs: 0 });
    done = true;
    await cluster.close();
    expect(got.hosts).toHaveLength(200);
    expect(turns).toBeGreaterThanOrEqual(20);
  });
});
