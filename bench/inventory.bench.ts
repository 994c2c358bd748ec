/**
 * Inventory collection over a simulated region on the real clock: the time one collection takes
 * with CPU sampling (1 s) and with the dirty-rate measurement (1 s, during the same gap) on or
 * off. The measurement must not add more than its own sample time; it overlaps the CPU gap.
 */
import { systemClock } from '../executor/clock.js';
import { simulatedClusterFromInventory } from '../executor/hypervisor/simulated/index.js';
import { demoRegion } from '../src/demo/region.js';
import { collectInventory } from '../src/inventory/collect.js';
import type { BenchOptions, BenchTable } from './main.js';

async function timeCollection(
  size: number,
  sampleMs: number,
  dirtyRateMs: number,
): Promise<{ ms: number; measured: number }> {
  const inventory = demoRegion({ seed: 1, cells: Math.max(3, Math.round(size / 100)), size });
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock: systemClock });
  try {
    const t0 = performance.now();
    const inv = await collectInventory({ hypervisor: cluster, hosts, sampleMs, dirtyRateMs });
    return { ms: performance.now() - t0, measured: inv.instances.filter((i) => i.dirtyRateMbps !== null).length };
  } finally {
    await cluster.close();
  }
}

export async function run(o: BenchOptions): Promise<BenchTable[]> {
  const sizes = o.quick ? [100] : [100, 1000];
  const rows: (string | number)[][] = [];
  for (const size of sizes) {
    for (const [sampleMs, dirtyRateMs] of [
      [1000, 0],
      [1000, 1000],
      [0, 0],
      [0, 1000],
    ]) {
      const r = await timeCollection(size, sampleMs, dirtyRateMs);
      rows.push([size, sampleMs, dirtyRateMs, Math.round(r.ms), r.measured]);
    }
  }
  return [
    {
      title: 'Inventory collection, simulated hosts, real clock',
      columns: ['hosts', 'sampleMs', 'dirtyRateMs', 'collection ms', 'guests with a dirty rate'],
      rows,
      notes: [
        'The dirty-rate measurement runs during the CPU sampling gap: with sampleMs 1000 it adds only its calls.',
      ],
    },
  ];
}
