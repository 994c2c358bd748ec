/**
 * What the HTTP API plans per `POST /plans/drain`: one host of the demo region (10 cells x 100
 * hosts, seed 1) on its cell's slice, the slice object shared by every request of the snapshot as
 * the service shares it. Wall and CPU time per drain (plan + verifier), over the drains after a warm-up.
 */
import type { BenchTable } from './main.js';
import { plan, type PlannerOptions } from '../planner/index.js';
import { demoRegion } from '../src/demo/region.js';
import { cellsOf, sliceCells } from '../src/inventory/slice.js';

const DRAINS = 300;
const WARM_UP = 50;

function stats(xs: number[]) {
  const w = xs.slice(WARM_UP).sort((a, b) => a - b);
  const at = (q: number) => w[Math.min(w.length - 1, Math.floor(w.length * q))];
  return { p50: at(0.5), p99: at(0.99), max: w[w.length - 1], mean: w.reduce((a, b) => a + b, 0) / w.length };
}

function loop(method: NonNullable<PlannerOptions['method']>, drains: number) {
  const inventory = demoRegion({ seed: 1, cells: 10, size: 1000 });
  const hosts = inventory.hosts.map((h) => h.name);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < drains; i++) {
    const host = hosts[(i * 37) % hosts.length];
    const slice = sliceCells(inventory, cellsOf(inventory, [host]));
    const t = performance.now();
    const c = process.cpuUsage();
    plan(slice, { goal: 'drain', hosts: [host] }, { method, now: () => performance.now() });
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - t);
  }
  return { wall: stats(wall), cpu: stats(cpu) };
}

const ms = (x: number) => x.toFixed(2);

export function drainLoopTable(quick: boolean): BenchTable {
  const drains = quick ? 100 : DRAINS;
  const rows = (['auto', 'heuristic'] as const).map((method) => {
    const { wall, cpu } = loop(method, drains);
    return [
      method,
      drains - WARM_UP,
      ms(wall.p50),
      ms(wall.p99),
      ms(wall.max),
      ms(wall.mean),
      ms(cpu.p99),
      ms(cpu.mean),
    ];
  });
  return {
    title: 'API drains: one host of the demo region (10 x 100 hosts, ~23k instances) on its cell slice',
    columns: ['method', 'drains timed', 'p50 ms', 'p99 ms', 'max ms', 'mean ms', 'CPU p99 ms', 'CPU mean ms'],
    rows,
    notes: [
      `Host i*37 mod 1,000 for drain i; the first ${WARM_UP} drains warm up and are not counted. Wall and CPU ms ` +
        'per drain include the verifier; CPU counts every thread of the process (GC included).',
    ],
  };
}
