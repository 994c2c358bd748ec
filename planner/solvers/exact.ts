/**
 * Exact placement by mixed-integer programming (javascript-lp-solver), for small problems.
 *
 * Model: interchangeable units form classes c of size n[c]; x[c,h] integer (how many of class c
 * go to host h; declared through `ints`, bounded by the assignment row), t the peak. Minimise t:
 *   sum_h x[c,h] = n[c]                                every unit placed
 *   sum_c d[c,r] x[c,h] <= free[h,r]                   capacity per resource
 *   base[h,dim] + sum_c a[c,h,dim] x[c,h] <= t         utilisation per dimension and host
 *   sum_{c in g} x[c,h] <= 1                           anti-affinity group g
 *   t <= incumbent (the heuristic's peak)
 * Pairs (k,h) where k alone takes h above the incumbent are left out, and with them every host
 * already above it, so the model is small. The model's peak covers every modelled host, not only
 * receivers (receiver indicators made the library's branch-and-bound far slower); so its optimum
 * t* is the true optimum when t* is above every modelled host's current utilisation (any better
 * plan would then have a smaller model value too). Otherwise the solution is still used if better,
 * but not reported as proven. Every returned solution is re-checked (integral, one host per unit,
 * every rule), because after its time limit the library can return fractional values marked
 * feasible.
 */
import lp from 'javascript-lp-solver';
import type { Problem } from './problem.js';
import { peakWith, scoreOf, unitFits } from './problem.js';

type Row = Record<string, number>;

/** The package's types describe its CommonJS build; under ESM the default export is the solver itself. */
const solver = ((lp as unknown as { default?: unknown }).default ?? lp) as {
  Solve(model: object): Record<string, unknown> & { feasible: boolean };
};

export interface ExactResult {
  hostOf: Int32Array;
  peak: number;
  /** True when the search finished inside its time limit: the peak is optimal. */
  proven: boolean;
}

export interface ExactOptions {
  /** Peak of a known solution; the model only contains placements that can beat or match it. */
  incumbent: number;
  /** Time budget in ms. @default 2000 */
  timeLimitMs?: number;
  /** Clock in ms; without it the search is never reported as proven. */
  now?: () => number;
}

/** Units that are interchangeable (same demand, candidates and anti-affinity group). */
interface Klass {
  units: number[];
}

/** A class of units on a host: one integer variable x[c,h] counting how many of them go there. */
interface Pair {
  c: number;
  h: number;
}

/**
 * Groups interchangeable units: one count variable per class and host instead of one binary per
 * unit and host removes the symmetry that makes branch-and-bound enumerate equivalent placements.
 */
export function unitClasses(p: Problem): Klass[] {
  const byKey = new Map<string, Klass>();
  p.units.forEach((u, k) => {
    const d = u.demand;
    const key = [
      d.vcpus,
      d.memoryMb,
      d.diskGb,
      d.cores,
      u.members.length,
      u.antiGroup ?? '',
      u.candidates.join(','),
    ].join('|');
    const klass = byKey.get(key);
    if (klass) klass.units.push(k);
    else byKey.set(key, { units: [k] });
  });
  return [...byKey.values()];
}

/** Placements worth modelling: fit the empty state and stay at or below the incumbent alone. */
export function modelPairs(p: Problem, classes: Klass[], incumbent: number): Pair[] {
  const out: Pair[] = [];
  classes.forEach((klass, c) => {
    const u = p.units[klass.units[0]];
    for (const h of u.candidates) {
      if (unitFits(p, p.base, u, h) && peakWith(p.view, p.base, h, u.demand) <= incumbent + 1e-9) out.push({ c, h });
    }
  });
  return out;
}

function addTerm(vars: Record<string, Row>, name: string, row: string, coef: number): void {
  if (coef !== 0) vars[name][row] = (vars[name][row] ?? 0) + coef;
}

function hostDims(p: Problem, h: number) {
  const { view, base, units } = p;
  const dims = [
    { cap: view.capacity.vcpus[h], used: base.vcpus[h], d: (k: number) => units[k].demand.vcpus },
    { cap: view.capacity.memoryMb[h], used: base.memoryMb[h], d: (k: number) => units[k].demand.memoryMb },
  ];
  if (view.hosts[h].cpuUsage !== null)
    dims.push({ cap: view.hosts[h].vcpus, used: base.cores[h], d: (k) => units[k].demand.cores });
  return dims;
}

const RESOURCES = ['vcpus', 'memoryMb', 'diskGb'] as const;

interface Model {
  vars: Record<string, Row>;
  constraints: Record<string, { max?: number; equal?: number }>;
  ints: Record<string, 1>;
}

/** Rows and columns of one host: its utilisation rows, capacity rows and one count per class. */
function addHost(p: Problem, m: Model, classes: Klass[], h: number, cs: number[]): void {
  const { view, base, units } = p;
  const { vars, constraints, ints } = m;
  const dims = hostDims(p, h);
  dims.forEach((dim, j) => {
    constraints[`p${h}_${j}`] = { max: -dim.used / dim.cap };
    addTerm(vars, 't', `p${h}_${j}`, -1);
  });
  // Capacity rows in fractions of the host's capacity keep the tableau well conditioned
  // (raw MB coefficients next to fractions made the library's simplex stall).
  const scale = {
    vcpus: view.capacity.vcpus[h],
    memoryMb: view.capacity.memoryMb[h],
    diskGb: Math.max(1, view.capacity.diskGb[h]),
  };
  for (const r of RESOURCES) {
    const free = view.capacity[r][h] - base[r][h];
    const most = cs.reduce((sum, c) => sum + classes[c].units.length * units[classes[c].units[0]].demand[r], 0);
    if (most > free + 1e-9) constraints[`c${h}_${r}`] = { max: free / scale[r] };
  }
  for (const c of cs) {
    const u = units[classes[c].units[0]];
    const x = `x${c}_${h}`;
    vars[x] = {};
    ints[x] = 1;
    addTerm(vars, x, `a${c}`, 1);
    dims.forEach((dim, j) => {
      addTerm(vars, x, `p${h}_${j}`, dim.d(classes[c].units[0]) / dim.cap);
    });
    for (const r of RESOURCES) if (constraints[`c${h}_${r}`]) addTerm(vars, x, `c${h}_${r}`, u.demand[r] / scale[r]);
    if (u.antiGroup) {
      constraints[`g${u.antiGroup}_${h}`] = { max: 1 };
      addTerm(vars, x, `g${u.antiGroup}_${h}`, 1);
    }
  }
}

function buildModel(p: Problem, classes: Klass[], pairs: Pair[], incumbent: number) {
  // A little slack: with t pinned exactly at the incumbent the library's simplex was seen to cycle forever.
  const m: Model = {
    vars: { t: { t: 1, tub: 1 } },
    constraints: { tub: { max: incumbent * (1 + 1e-3) + 1e-6 } },
    ints: {},
  };
  classes.forEach((klass, c) => {
    m.constraints[`a${c}`] = { equal: klass.units.length };
  });
  const perHost = new Map<number, number[]>();
  for (const { c, h } of pairs) perHost.set(h, [...(perHost.get(h) ?? []), c]);
  for (const [h, cs] of perHost) addHost(p, m, classes, h, cs);
  return { optimize: 't', opType: 'min' as const, constraints: m.constraints, variables: m.vars, ints: m.ints };
}

/** Highest current utilisation among modelled hosts: the model's peak never goes below it. */
function modelFloor(p: Problem, pairs: Pair[]): number {
  let floor = 0;
  for (const h of new Set(pairs.map((x) => x.h)))
    for (const d of hostDims(p, h)) floor = Math.max(floor, d.used / d.cap);
  return floor;
}

/** Reads x[c,h] back; null unless every value is integral and every unit gets exactly one host. */
function readAssignment(
  p: Problem,
  classes: Klass[],
  pairs: Pair[],
  result: Record<string, unknown>,
): Int32Array | null {
  const hostOf = new Int32Array(p.units.length).fill(-1);
  const next = new Int32Array(classes.length);
  for (const { c, h } of pairs) {
    const v = Number(result[`x${c}_${h}`] ?? 0);
    if (Math.abs(v - Math.round(v)) > 1e-6 || v < -1e-6) return null;
    for (let n = Math.round(v); n > 0; n--) {
      if (next[c] >= classes[c].units.length) return null;
      hostOf[classes[c].units[next[c]++]] = h;
    }
  }
  return hostOf.every((h) => h >= 0) ? hostOf : null;
}

/** Number of integer variables the exact model would have (for choosing the method). */
export function exactSize(p: Problem, incumbent: number): number {
  return modelPairs(p, unitClasses(p), incumbent).length;
}

/** Solves the model; null when it is infeasible, times out without an integral answer, or is wrong. */
export function solveExact(p: Problem, o: ExactOptions): ExactResult | null {
  const classes = unitClasses(p);
  const pairs = modelPairs(p, classes, o.incumbent);
  const limit = o.timeLimitMs ?? 2000;
  const started = o.now?.();
  const model = { ...buildModel(p, classes, pairs, o.incumbent), options: { timeout: limit, tolerance: 0 } };
  const result = solver.Solve(model);
  const elapsed = started === undefined ? Infinity : o.now!() - started;
  if (!result.feasible) return null;
  const hostOf = readAssignment(p, classes, pairs, result);
  const score = hostOf && scoreOf(p, hostOf);
  if (!hostOf || !score) return null;
  return { hostOf, peak: score.peak, proven: elapsed < limit * 0.9 && score.peak > modelFloor(p, pairs) + 1e-9 };
}
