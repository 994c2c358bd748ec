/**
 * Planner benchmarks: drain planning time and quality from a 50-host cell to a 100k-instance
 * region, against a first-fit baseline; exact versus heuristic on small random drains; the API's
 * drains on the demo region (bench/planner-drainloop.ts); and the
 * balance section (bench/planner-balance.ts) when that module is present; maintenance campaigns
 * (bench/planner-campaign.ts).
 */
import { existsSync } from 'node:fs';
import type { BenchOptions, BenchTable } from './main.js';
import { plan } from '../planner/index.js';
import type { Inventory, Plan, PlannerOptions } from '../planner/index.js';
import { DRAIN_HOST, generateRegion, type GenOptions } from './gen.js';
import { firstFitDrain } from './drain-first-fit.js';
import { campaignTables } from './planner-campaign.js';
import { makeRoomTable } from './planner-makeroom.js';
import { drainLoopTable } from './planner-drainloop.js';

const now = () => performance.now();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function timed<T>(f: () => T): { value: T; ms: number } {
  const t = now();
  const value = f();
  return { value, ms: now() - t };
}

function drain(inv: Inventory, o: PlannerOptions = {}): Plan {
  return plan(inv, { goal: 'drain', hosts: [DRAIN_HOST] }, { now, ...o });
}

const SIZES: { label: string; gen: GenOptions; quick: boolean }[] = [
  { label: '50 hosts', gen: { cells: 1, hostsPerCell: 50 }, quick: true },
  { label: '200-host cell', gen: { cells: 1, hostsPerCell: 200 }, quick: true },
  { label: '1,000-host cell', gen: { cells: 1, hostsPerCell: 1000 }, quick: false },
  { label: '5,000-host cell', gen: { cells: 1, hostsPerCell: 5000 }, quick: false },
  { label: 'region 5 x 1,000', gen: { cells: 5, hostsPerCell: 1000 }, quick: false },
];

function drainTable(quick: boolean): BenchTable {
  const rows: (string | number)[][] = [];
  for (const size of SIZES.filter((s) => s.quick || !quick)) {
    const inv = generateRegion({ seed: 42, ...size.gen });
    drain(inv); // warm-up: JIT and lazily loaded modules
    const heap0 = process.memoryUsage().heapUsed;
    const run = timed(() => drain(inv));
    const heap1 = process.memoryUsage().heapUsed;
    const ff = timed(() => firstFitDrain(inv, [DRAIN_HOST]));
    const m = run.value.metrics;
    rows.push([
      size.label,
      inv.hosts.length,
      inv.instances.length,
      run.value.moves.length,
      Math.round(run.ms * 10) / 10,
      mb(process.resourceUsage().maxRSS * 1024),
      mb(Math.max(0, heap1 - heap0)),
      m.method,
      m.objective,
      m.lowerBound,
      pct(m.gap),
      Math.round(ff.ms * 10) / 10,
      ff.value.peak,
      ff.value.unplaced,
    ]);
  }
  return {
    title: 'Drain of a 60-VM host (plan + verify)',
    columns: [
      'inventory',
      'hosts',
      'instances',
      'moves',
      'ms',
      'peak RSS MB',
      'heap delta MB',
      'method',
      'peak',
      'lower bound',
      'gap',
      'first-fit ms',
      'first-fit peak',
      'first-fit unplaced',
    ],
    rows,
    notes: [
      'peak = highest utilisation (max of CPU allocation, memory allocation, measured CPU) over hosts that receive ' +
        'VMs; lower is better.',
      'ms includes the independent plan verifier. First-fit: each VM to the first host in list order that passes ' +
        'every rule.',
    ],
  };
}

function exactTable(quick: boolean): BenchTable {
  const rows: (string | number)[][] = [];
  const shapes = quick
    ? [
        [10, 20],
        [20, 50],
      ]
    : [
        [10, 20],
        [20, 20],
        [20, 50],
        [30, 50],
        [40, 50],
      ];
  const seeds = quick ? [1, 2] : [1, 2, 3];
  let good = 0;
  let total = 0;
  for (const [vms, hosts] of shapes) {
    for (const seed of seeds) {
      const inv = generateRegion({
        cells: 1,
        hostsPerCell: hosts,
        drainVms: vms,
        seed: seed * 7919 + vms,
        fill: [0.55, 0.85],
      });
      const h = timed(() => drain(inv, { method: 'heuristic' }));
      const e = timed(() => drain(inv, { method: 'exact', exactTimeLimitMs: 2000 }));
      const a = timed(() => drain(inv, { method: 'auto' }));
      const bestLb = Math.max(h.value.metrics.lowerBound, e.value.metrics.lowerBound);
      const gap = (a.value.metrics.objective - bestLb) / a.value.metrics.objective;
      total++;
      if (gap < 0.01) good++;
      rows.push([
        `${vms} VMs x ${hosts} hosts`,
        seed,
        h.value.metrics.objective,
        Math.round(h.ms),
        e.value.metrics.objective,
        e.value.metrics.gap === 0 ? 'yes' : 'no',
        Math.round(e.ms),
        a.value.metrics.method,
        a.value.metrics.objective,
        bestLb,
        pct(Math.max(0, gap)),
        Math.round(a.ms),
      ]);
    }
  }
  return {
    title: 'Exact versus heuristic on random drains',
    columns: [
      'drain',
      'seed',
      'heuristic peak',
      'heur ms',
      'exact peak',
      'exact proven',
      'exact ms',
      'auto method',
      'auto peak',
      'best lower bound',
      'auto gap',
      'auto ms',
    ],
    rows,
    notes: [`${good} of ${total} drains: auto plan proven optimal or within 1% of the best proven lower bound.`],
  };
}

/** Balance tables come from a separate module when it exists. */
async function balanceTables(o: BenchOptions): Promise<BenchTable[]> {
  if (!existsSync(new URL('./planner-balance.ts', import.meta.url))) return [];
  const spec = './planner-balance.js'; // a variable: the module is optional, so no static resolution
  const mod = (await import(spec)) as { balanceTables: (o: BenchOptions) => Promise<BenchTable[]> | BenchTable[] };
  return mod.balanceTables(o);
}

export async function run(o: BenchOptions): Promise<BenchTable[]> {
  return [
    drainTable(o.quick),
    makeRoomTable(o),
    exactTable(o.quick),
    drainLoopTable(o.quick),
    ...(await balanceTables(o)),
    ...campaignTables(o),
  ];
}
