/**
 * Plan metrics: per-cell allocation and utilisation statistics before and after a plan, plus
 * the plan's size. Linear in hosts + instances + moves, so it runs on region-sized inventories.
 */
import type { Host, Inventory } from './model/inventory.js';
import type { CellStats, Move, PlanMetrics } from './model/plan.js';

/** Usable capacity of a host: (raw - reserved) x allocation ratio, never below 0. */
export function usableVcpus(h: Host): number {
  return Math.max(0, (h.vcpus - h.reservedVcpus) * h.cpuAllocationRatio);
}

/** Usable memory of a host in MiB. */
export function usableMemoryMb(h: Host): number {
  return Math.max(0, (h.memoryMb - h.reservedMemoryMb) * h.ramAllocationRatio);
}

/** Usable local disk of a host in GB. */
export function usableDiskGb(h: Host): number {
  return Math.max(0, (h.diskGb - h.reservedDiskGb) * h.diskAllocationRatio);
}

/**
 * Allocated / usable. A host with no usable capacity counts as full (1) when something is
 * allocated to it and empty (0) otherwise, so the statistics stay finite (JSON has no Infinity).
 */
function fraction(allocated: number, usable: number): number {
  if (usable > 0) return allocated / usable;
  return allocated > 0 ? 1 : 0;
}

/** Maximum and population coefficient of variation (stddev / mean; 0 when the mean is 0). */
export function maxAndCv(values: readonly number[]): { max: number; cv: number } {
  if (values.length === 0) return { max: 0, cv: 0 };
  let sum = 0;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  if (mean === 0) return { max, cv: 0 };
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { max, cv: Math.sqrt(sq / values.length) / mean };
}

/** Per-host figures, indexed like `inventory.hosts`; usage is null where the host has no measurement. */
interface HostLoads {
  vcpus: Float64Array;
  memoryMb: Float64Array;
  cpuUsage: Array<number | null>;
}

function emptyLoads(inventory: Inventory): HostLoads {
  const n = inventory.hosts.length;
  return {
    vcpus: new Float64Array(n),
    memoryMb: new Float64Array(n),
    cpuUsage: inventory.hosts.map((h) => h.cpuUsage),
  };
}

/** What the metrics read from one inventory snapshot: host indexes, instances per host, loads before any plan. */
interface SnapshotLoads {
  index: Map<string, number>;
  /** Instance id -> position in `inventory.instances`. */
  position: Map<string, number>;
  /** Positions of the instances on each host, ascending. */
  onHost: number[][];
  before: HostLoads;
}

/** Per inventory object (snapshots are immutable): every plan of a snapshot shares the one pass over its instances. */
const snapshots = new WeakMap<Inventory, SnapshotLoads>();

function snapshotLoads(inventory: Inventory): SnapshotLoads {
  const known = snapshots.get(inventory);
  if (known) return known;
  const index = new Map<string, number>();
  inventory.hosts.forEach((h, i) => {
    index.set(h.name, i);
  });
  const position = new Map<string, number>();
  const onHost: number[][] = inventory.hosts.map(() => []);
  const before = emptyLoads(inventory);
  for (const [k, inst] of inventory.instances.entries()) {
    position.set(inst.id, k);
    const src = index.get(inst.host);
    if (src === undefined) continue; // placement on an unknown host: the verifier reports it, metrics ignore it
    onHost[src].push(k);
    before.vcpus[src] += inst.vcpus;
    before.memoryMb[src] += inst.memoryMb;
  }
  const loads = { index, position, onHost, before };
  snapshots.set(inventory, loads);
  return loads;
}

/**
 * Loads before and after a placement. The snapshot's loads are computed once per inventory. After
 * the placement, only hosts that an instance leaves or reaches differ; those are summed again over
 * the instances that end or start there, in inventory order, so every figure is the same sum in the
 * same order as one pass over all instances would give (measured CPU is clamped at 0: order matters).
 */
function hostLoads(
  inventory: Inventory,
  placement: ReadonlyMap<string, string>,
): { before: HostLoads; after: HostLoads } {
  const { index, position, onHost, before } = snapshotLoads(inventory);
  const touched = new Set<number>();
  const moved: number[] = [];
  for (const [id, where] of placement) {
    const k = position.get(id);
    const src = k === undefined ? undefined : index.get(inventory.instances[k].host);
    if (k === undefined || src === undefined) continue;
    moved.push(k);
    touched.add(src);
    const dst = index.get(where);
    if (dst !== undefined) touched.add(dst);
  }
  const after: HostLoads = {
    vcpus: before.vcpus.slice(),
    memoryMb: before.memoryMb.slice(),
    cpuUsage: before.cpuUsage.slice(),
  };
  const involved = new Set(moved);
  for (const h of touched) {
    after.vcpus[h] = 0;
    after.memoryMb[h] = 0;
    for (const k of onHost[h]) involved.add(k);
  }
  for (const k of Int32Array.from(involved).sort()) {
    const inst = inventory.instances[k];
    const src = index.get(inst.host)!;
    const where = placement.get(inst.id);
    const dst = where === undefined ? src : index.get(where);
    if (dst === undefined) continue;
    after.vcpus[dst] += inst.vcpus;
    after.memoryMb[dst] += inst.memoryMb;
    if (dst !== src && inst.cpuUsage !== null) shiftUsage(inventory, after, inst.cpuUsage * inst.vcpus, src, dst);
  }
  return { before, after };
}

/** The measured host figure already contains the instance on its original host: move its share. */
function shiftUsage(inventory: Inventory, loads: HostLoads, vcpuLoad: number, src: number, dst: number): void {
  const s = loads.cpuUsage[src];
  const srcPhys = inventory.hosts[src].vcpus;
  if (s !== null && srcPhys > 0) loads.cpuUsage[src] = Math.max(0, s - vcpuLoad / srcPhys);
  const d = loads.cpuUsage[dst];
  const dstPhys = inventory.hosts[dst].vcpus;
  if (d !== null && dstPhys > 0) loads.cpuUsage[dst] = d + vcpuLoad / dstPhys;
}

function statsOf(inventory: Inventory, loads: HostLoads): Record<string, CellStats> {
  const groups = new Map<string, { cpu: number[]; mem: number[]; usage: number[] }>();
  inventory.hosts.forEach((h, i) => {
    let g = groups.get(h.cell);
    if (!g) {
      g = { cpu: [], mem: [], usage: [] };
      groups.set(h.cell, g);
    }
    g.cpu.push(fraction(loads.vcpus[i], usableVcpus(h)));
    g.mem.push(fraction(loads.memoryMb[i], usableMemoryMb(h)));
    const u = loads.cpuUsage[i];
    if (u !== null) g.usage.push(u);
  });
  const out: Record<string, CellStats> = {};
  for (const cell of [...groups.keys()].sort()) {
    const g = groups.get(cell)!;
    out[cell] = {
      hosts: g.cpu.length,
      cpuAlloc: maxAndCv(g.cpu),
      memAlloc: maxAndCv(g.mem),
      cpuUsage: g.usage.length ? maxAndCv(g.usage) : null,
    };
  }
  return out;
}

/**
 * Per-cell statistics for a placement (instance id -> host name; instances absent from the map
 * stay on their inventory host).
 *
 * Every host of the cell counts, whatever its state: disabled, down and drained hosts included,
 * so "after" shows a drained host as empty and the figures compare like with like across plans.
 * CPU allocation is allocated vCPUs / usable vCPUs, memory allocation likewise. Measured CPU
 * utilisation starts from `host.cpuUsage` and moves `instance.cpuUsage x instance.vcpus / host
 * physical vCPUs` from source to destination (instances without `cpuUsage` shift nothing); it is
 * computed over the hosts that have a measurement and is null when no host of the cell has one.
 * It may exceed 1 after a plan (demand estimate); it never drops below 0.
 */
export function cellStats(inventory: Inventory, placement: ReadonlyMap<string, string>): Record<string, CellStats> {
  return statsOf(inventory, hostLoads(inventory, placement).after);
}

/** Statistics before (inventory placement) and after `placement`, in one pass over the instances. */
export function cellStatsBeforeAfter(
  inventory: Inventory,
  placement: ReadonlyMap<string, string>,
): {
  before: Record<string, CellStats>;
  after: Record<string, CellStats>;
} {
  const loads = hostLoads(inventory, placement);
  return { before: statsOf(inventory, loads.before), after: statsOf(inventory, loads.after) };
}

/** Where every moved instance is after all moves (the move in the latest wave wins). */
export function finalPlacement(moves: readonly Move[]): Map<string, string> {
  const latest = new Map<string, Move>();
  for (const m of moves) {
    const seen = latest.get(m.instance);
    if (!seen || m.wave >= seen.wave) latest.set(m.instance, m);
  }
  const out = new Map<string, string>();
  for (const [id, m] of latest) out.set(id, m.to);
  return out;
}

/** How the moves were found; copied into the metrics. */
export interface SolveInfo {
  /** e.g. `exact-lp`, `heuristic-bfd+ls`. */
  method: string;
  /** Objective value of the plan (lower is better). */
  objective: number;
  /** Proven lower bound on the objective. */
  lowerBound: number;
}

/** Relative optimality gap; 0 when the bound meets the objective. */
export function optimalityGap(objective: number, lowerBound: number): number {
  const diff = objective - lowerBound;
  if (Math.abs(diff) < 1e-12) return 0;
  return diff / Math.max(Math.abs(objective), 1e-9);
}

const gibRounded = (gib: number) => Math.round(gib * 1000) / 1000;

/**
 * A drain's cost beyond the drain itself: the moves of instances that start on a host that is not
 * drained (they make room), and their GiB.
 */
export function extraMoves(
  moves: readonly Move[],
  drained: readonly string[],
): { extraMoves: number; extraGib: number } {
  const set = new Set(drained);
  let n = 0;
  let gib = 0;
  for (const m of moves) {
    if (set.has(m.from)) continue;
    n++;
    gib += m.gib;
  }
  return { extraMoves: n, extraGib: gibRounded(gib) };
}

/**
 * Metrics of a plan: `before` is the inventory placement, `after` applies every move. `drained`
 * (drains only) adds `extraMoves` / `extraGib`.
 */
export function planMetrics(
  inventory: Inventory,
  moves: readonly Move[],
  solve: SolveInfo,
  drained?: readonly string[],
): PlanMetrics {
  let gib = 0;
  let maxWave = -1;
  for (const m of moves) {
    gib += m.gib;
    if (m.wave > maxWave) maxWave = m.wave;
  }
  return {
    ...cellStatsBeforeAfter(inventory, finalPlacement(moves)),
    moves: moves.length,
    gibToCopy: gibRounded(gib),
    waves: maxWave + 1,
    method: solve.method,
    objective: solve.objective,
    lowerBound: solve.lowerBound,
    gap: optimalityGap(solve.objective, solve.lowerBound),
    ...(drained ? extraMoves(moves, drained) : {}),
  };
}

/** Allocation and measured utilisation of one host (fractions; usage null when unmeasured). */
export interface HostFigures {
  cpuAlloc: number;
  memAlloc: number;
  cpuUsage: number | null;
}

/**
 * Per-host figures before and after a placement, for the named hosts only (a plan report shows
 * the hosts a plan touches). Same definitions as `cellStats`.
 */
export function hostFigures(
  inventory: Inventory,
  placement: ReadonlyMap<string, string>,
  hosts: ReadonlySet<string>,
): Map<string, { before: HostFigures; after: HostFigures }> {
  const loads = hostLoads(inventory, placement);
  const figures = (l: HostLoads, i: number, h: Host): HostFigures => ({
    cpuAlloc: fraction(l.vcpus[i], usableVcpus(h)),
    memAlloc: fraction(l.memoryMb[i], usableMemoryMb(h)),
    cpuUsage: l.cpuUsage[i],
  });
  const out = new Map<string, { before: HostFigures; after: HostFigures }>();
  inventory.hosts.forEach((h, i) => {
    if (hosts.has(h.name)) out.set(h.name, { before: figures(loads.before, i, h), after: figures(loads.after, i, h) });
  });
  return out;
}

/**
 * The imbalance of a cell that a balance's threshold is compared with: max(CV of memory
 * allocation, CV of measured CPU utilisation), the CPU term only where utilisation is measured.
 */
export function imbalanceOf(stats: Pick<CellStats, 'memAlloc' | 'cpuUsage'>): number {
  return Math.max(stats.memAlloc.cv, stats.cpuUsage?.cv ?? 0);
}
