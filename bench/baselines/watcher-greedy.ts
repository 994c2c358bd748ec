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
  for (const v of values) {
    s1 += v;
    s2 += v * v;
  }
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

interface Cell {
  view: ReturnType<typeof buildView>;
  usage: ReturnType<typeof createUsage>;
  mem: Sums;
  cpu: Sums;
  onHost: number[][];
}

/** Host share of instance `i` on host `h`: memory fraction and CPU utilisation. */
function shares(c: Cell, i: number, h: number): { m: number; u: number } {
  const inst = c.view.instances[i];
  return {
    m: inst.memoryMb / c.view.capacity.memoryMb[h],
    u: ((inst.cpuUsage ?? 0) * inst.vcpus) / c.view.hosts[h].vcpus,
  };
}

/** The move off host `a` that lowers the summed standard deviations most, if any does. */
function bestFrom(c: Cell, a: number): { i: number; b: number } | null {
  const n = c.view.hosts.length;
  let best = { value: sd(c.mem.s1, c.mem.s2, n) + sd(c.cpu.s1, c.cpu.s2, n), i: -1, b: -1 };
  for (const i of c.onHost[a]) {
    const inst = c.view.instances[i];
    if (!migrationMode(inst).mode || (inst.serverGroup && c.view.groupPolicy.get(inst.serverGroup) === 'affinity'))
      continue;
    const out = shares(c, i, a);
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      const into = shares(c, i, b);
      const value = sdAfter(c.mem, n, a, -out.m, b, into.m) + sdAfter(c.cpu, n, a, -out.u, b, into.u);
      if (value >= best.value - 1e-12 || !checkTarget(c.view, i, b, c.usage).ok) continue;
      best = { value, i, b };
    }
  }
  return best.i < 0 ? null : { i: best.i, b: best.b };
}

function apply(c: Cell, i: number, a: number, b: number): void {
  const out = shares(c, i, a);
  const into = shares(c, i, b);
  shift(c.mem, a, -out.m);
  shift(c.mem, b, into.m);
  shift(c.cpu, a, -out.u);
  shift(c.cpu, b, into.u);
  addInstance(c.view, c.usage, i, b);
  removeInstance(c.view, c.usage, i, a);
  c.onHost[a].splice(c.onHost[a].indexOf(i), 1);
  c.onHost[b].push(i);
}

/** Runs the baseline on every host of the inventory (one cell) until `threshold` or no improvement. */
export function watcherGreedy(inventory: Inventory, opts: { threshold: number; maxMoves?: number }): BaselineResult {
  const view = buildView(inventory);
  const n = view.hosts.length;
  const c: Cell = {
    view,
    usage: createUsage(view),
    mem: sums(Float64Array.from(view.hosts, (_, k) => view.usage.memoryMb[k] / view.capacity.memoryMb[k])),
    cpu: sums(Float64Array.from(view.hosts, (h) => h.cpuUsage ?? 0)),
    onHost: view.instancesByHost.map((l) => [...l]),
  };
  const out: BaselineResult = { placement: new Map(), moves: 0, gib: 0 };
  while (out.moves < (opts.maxMoves ?? Infinity) && Math.max(cv(c.mem, n), cv(c.cpu, n)) >= opts.threshold) {
    let a = 0;
    for (let k = 1; k < n; k++) if (c.mem.x[k] + c.cpu.x[k] > c.mem.x[a] + c.cpu.x[a]) a = k;
    const move = bestFrom(c, a);
    if (!move) break;
    apply(c, move.i, a, move.b);
    const inst = view.instances[move.i];
    out.moves++;
    out.gib += moveGib(inst, migrationMode(inst).mode!);
    out.placement.set(inst.id, view.hosts[move.b].name);
  }
  return out;
}
