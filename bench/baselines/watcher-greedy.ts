/**
 * Baseline: the greedy of OpenStack Watcher's `workload_stabilization` strategy, for comparison.
 * While the cell's imbalance is above the threshold, take the most loaded host (mean of its
 * normalised memory allocation and CPU utilisation), try every movable instance on it against
 * every other host that passes the hard constraints, and make the single move that lowers the
 * sum of the standard deviations most; stop when no move lowers it. Moves are applied one after
 * the other (no waves): this measures the choice of moves, not scheduling.
 */
import type { Inventory } from '../../planner/index.js';
import { buildView } from '../../planner/constraints/view.js';
import { checkTarget } from '../../planner/constraints/check.js';
import { addInstance, createUsage, removeInstance } from '../../planner/constraints/state.js';
import { migrationMode, moveGib } from '../../planner/estimate.js';

export interface BaselineResult {
  /** Final placement of moved instances (id -> host). */
  placement: Map<string, string>;
  moves: number;
  gib: number;
}

interface Sums {
  x: Float64Array;
  s1: number;
  s2: number;
}

function sums(values: Float64Array): Sums {
  let s1 = 0;
  let s2 = 0;
  for (const v of values) (s1 += v), (s2 += v * v);
  return { x: values, s1, s2 };
}

const sd = (s1: number, s2: number, n: number) => Math.sqrt(Math.max(0, s2 / n - (s1 / n) ** 2));
const cv = (s: Sums, n: number) => (s.s1 > 0 ? sd(s.s1, s.s2, n) / (s.s1 / n) : 0);

/** SD after host a changes by da and host b by db. */
function sdAfter(s: Sums, n: number, a: number, da: number, b: number, db: number): number {
  const xa = s.x[a] + da;
  const xb = s.x[b] + db;
  return sd(s.s1 + da + db, s.s2 - s.x[a] ** 2 - s.x[b] ** 2 + xa * xa + xb * xb, n);
}

function shift(s: Sums, k: number, d: number): void {
  const v = s.x[k] + d;
  s.s1 += d;
  s.s2 += v * v - s.x[k] * s.x[k];
  s.x[k] = v;
}

/** Runs the baseline on every host of the inventory (one cell) until `threshold` or no improvement. */
export function watcherGreedy(inventory: Inventory, opts: { threshold: number; maxMoves?: number }): BaselineResult {
  const view = buildView(inventory);
  const usage = createUsage(view);
  const n = view.hosts.length;
  const memCap = view.capacity.memoryMb;
  const mem = sums(Float64Array.from(view.hosts, (_, k) => view.usage.memoryMb[k] / memCap[k]));
  const cpu = sums(Float64Array.from(view.hosts, (h) => h.cpuUsage ?? 0));
  const loc = Int32Array.from(view.instances, (i) => view.hostIndex.get(i.host)!);
  const onHost = view.instancesByHost.map((l) => [...l]);
  const out: BaselineResult = { placement: new Map(), moves: 0, gib: 0 };
  while (out.moves < (opts.maxMoves ?? Infinity) && Math.max(cv(mem, n), cv(cpu, n)) >= opts.threshold) {
    let a = 0;
    for (let k = 1; k < n; k++) if (mem.x[k] + cpu.x[k] > mem.x[a] + cpu.x[a]) a = k;
    let best = { value: sd(mem.s1, mem.s2, n) + sd(cpu.s1, cpu.s2, n), i: -1, b: -1 };
    for (const i of onHost[a]) {
      const inst = view.instances[i];
      if (!migrationMode(inst).mode || (inst.serverGroup && view.groupPolicy.get(inst.serverGroup) === 'affinity')) continue;
      const dm = inst.memoryMb;
      const dc = (inst.cpuUsage ?? 0) * inst.vcpus;
      for (let b = 0; b < n; b++) {
        if (b === a) continue;
        const value = sdAfter(mem, n, a, -dm / memCap[a], b, dm / memCap[b]) + sdAfter(cpu, n, a, -dc / view.hosts[a].vcpus, b, dc / view.hosts[b].vcpus);
        if (value >= best.value - 1e-12 || !checkTarget(view, i, b, usage).ok) continue;
        best = { value, i, b };
      }
    }
    if (best.i < 0) break;
    const inst = view.instances[best.i];
    shift(mem, a, -inst.memoryMb / memCap[a]);
    shift(mem, best.b, inst.memoryMb / memCap[best.b]);
    const dc = (inst.cpuUsage ?? 0) * inst.vcpus;
    shift(cpu, a, -dc / view.hosts[a].vcpus);
    shift(cpu, best.b, dc / view.hosts[best.b].vcpus);
    addInstance(view, usage, best.i, best.b);
    removeInstance(view, usage, best.i, a);
    onHost[a].splice(onHost[a].indexOf(best.i), 1);
    onHost[best.b].push(best.i);
    loc[best.i] = best.b;
    out.moves++;
    out.gib += moveGib(inst, migrationMode(inst).mode!);
    out.placement.set(inst.id, view.hosts[best.b].name);
  }
  return out;
}
