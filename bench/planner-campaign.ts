/**
 * Campaign benchmarks: rolling maintenance of whole cells (24, 200, 1,000 hosts) with
 * maxUnavailable 1 and 4, planned by `planMaintenance` (verifier included) against rolling
 * drains to the host with the most free memory (bench/campaign-baseline.ts), in the same run.
 */
import type { BenchOptions, BenchTable } from './main.js';
import { planMaintenance } from '../planner/index.js';
import { generateRegion } from './gen.js';
import { rollingDrains } from './campaign-baseline.js';

const CELLS = [
  { hosts: 24, quick: true },
  { hosts: 200, quick: true },
  { hosts: 1000, quick: false },
];

function timed<T>(f: () => T): { value: T; ms: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, ms: performance.now() - t, cpuMs: (c.user + c.system) / 1000 };
}

export function campaignTables(o: BenchOptions): BenchTable[] {
  const rows: (string | number)[][] = [];
  for (const cell of CELLS.filter((c) => c.quick || !o.quick)) {
    const inv = generateRegion({ cells: 1, hostsPerCell: cell.hosts, seed: 11 });
    const targets = inv.hosts.map((h) => h.name);
    const base = timed(() => rollingDrains(inv, targets));
    const label = `${cell.hosts} hosts / ${inv.instances.length} VMs`;
    for (const n of [1, 4]) {
      const run = timed(() => planMaintenance(inv, { cells: ['cell1'], maxUnavailable: n }));
      const m = run.value.metrics;
      const steps = `${m.steps} (ceil ${Math.ceil(cell.hosts / n)})`;
      const unplaced = run.value.unplaced.length;
      rows.push([label, n, 'rebalancer', steps, m.moves, m.gibToCopy, m.lowerBoundGib, m.instancesMovedTwiceOrMore]);
      rows[rows.length - 1].push(unplaced, Math.round(run.ms), Math.round(run.cpuMs));
    }
    const b = base.value;
    const gib = Math.round(b.gib * 10) / 10;
    rows.push([label, 1, 'rolling most-free-RAM', b.steps, b.moves, gib, '', b.movedTwice, b.unplaced]);
    rows[rows.length - 1].push(Math.round(base.ms), Math.round(base.cpuMs));
  }
  return [
    {
      title: 'Maintenance campaigns vs rolling drains (Nova RAM weigher)',
      columns: [
        'cell',
        'maxUnavailable',
        'planner',
        'steps',
        'moves',
        'GiB',
        'lower bound GiB',
        'moved twice+',
        'unplaced',
        'ms',
        'cpu ms',
      ],
      rows,
      notes: [
        'ms: wall-clock planning time incl. the step-by-step verifier; cpu ms: CPU time of the same call ' +
          '(the machine is shared, so wall time includes waiting for a core).',
        'lower bound: every movable instance of the cell copied once. The baseline drains one host at a time in ' +
          'inventory order, each VM to the host with the most free memory that passes capacity and anti-affinity.',
      ],
    },
  ];
}
