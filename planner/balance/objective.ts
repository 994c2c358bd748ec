/**
 * The balance objective of one cell, kept incrementally so that evaluating a candidate move is
 * O(1): per metric the sum and the sum of squares of the host fractions (for the coefficient of
 * variation) and the three highest hosts (for the peak). Pure.
 *
 * Objective = max(CV(mem), floor) + peak(mem) + [max(CV(cpu), floor) + peak(cpu)] + soft
 * server-group penalty, over the hosts taking part in the balance; `floor` is the request's
 * threshold, because a spread already below it is good enough and not worth more GiB. Memory is
 * allocated MiB / usable MiB. CPU is measured host utilisation (`host.cpuUsage`, or the sum of
 * its instances' `cpuUsage x vcpus / host vcpus` when the host has no figure but all its
 * instances do); an instance carries
 * `cpuUsage x vcpus / host physical vcpus` with it. The CPU terms exist only when every host of
 * the cell has a figure; otherwise balance works on allocation alone.
 */
import type { Host, Instance } from '../model/inventory.js';
import { usableMemoryMb } from '../metrics.js';
import { Metric } from './metric.js';
import { SoftGroups } from './soft-groups.js';

/** Weight of a metric's peak (its most loaded host) relative to its coefficient of variation. */
export const PEAK_WEIGHT = 1;

/** Derived CPU utilisation of each host, or null when a host has neither a figure nor complete instance data. */
function hostCpuUsage(hosts: readonly Host[], byHost: ReadonlyMap<string, readonly Instance[]>): number[] | null {
  const out: number[] = [];
  let measured = false;
  for (const h of hosts) {
    const list = byHost.get(h.name) ?? [];
    if (h.cpuUsage !== null) {
      out.push(h.cpuUsage);
      measured = true;
      continue;
    }
    if (h.vcpus <= 0 || list.some((i) => i.cpuUsage === null)) return null;
    if (list.length) measured = true;
    out.push(list.reduce((s, i) => s + ((i.cpuUsage ?? 0) * i.vcpus) / h.vcpus, 0));
  }
  return measured ? out : null;
}

export class CellObjective {
  readonly n: number;
  readonly index = new Map<string, number>();
  readonly mem: Metric;
  readonly cpu: Metric | null;
  readonly soft: SoftGroups;
  /** Coefficient of variation that counts as even: CV below it earns nothing. @default 0 */
  floor = 0;
  private readonly memCap: Float64Array;
  private readonly phys: Float64Array;

  /**
   * @param hosts the hosts taking part (enabled, up, not avoided), in a stable order
   * @param byHost instances on each of those hosts
   * @param softPolicy soft server-group policy of a group id, if any
   */
  constructor(
    readonly hosts: readonly Host[],
    byHost: ReadonlyMap<string, readonly Instance[]>,
    softPolicy: (group: string) => 'soft-affinity' | 'soft-anti-affinity' | null,
  ) {
    this.n = hosts.length;
    this.memCap = Float64Array.from(hosts, (h) => usableMemoryMb(h));
    this.phys = Float64Array.from(hosts, (h) => h.vcpus);
    hosts.forEach((h, k) => {
      this.index.set(h.name, k);
    });
    const memFrac = hosts.map((h, k) => {
      const used = (byHost.get(h.name) ?? []).reduce((s, i) => s + i.memoryMb, 0);
      return this.memCap[k] > 0 ? used / this.memCap[k] : 0;
    });
    this.mem = new Metric(memFrac);
    const usage = hostCpuUsage(hosts, byHost);
    this.cpu = usage ? new Metric(usage) : null;
    this.soft = new SoftGroups(this.n, softPolicy);
    hosts.forEach((h, k) => {
      for (const i of byHost.get(h.name) ?? []) this.soft.add(i, k);
    });
  }

  memShare(i: Instance, h: number): number {
    return this.memCap[h] > 0 ? i.memoryMb / this.memCap[h] : 0;
  }

  cpuShare(i: Instance, h: number): number {
    return this.phys[h] > 0 ? ((i.cpuUsage ?? 0) * i.vcpus) / this.phys[h] : 0;
  }

  /** Current objective value (lower is better). */
  value(): number {
    const f = this.floor;
    let v = Math.max(this.mem.cv(), f) + PEAK_WEIGHT * this.mem.peak();
    if (this.cpu) v += Math.max(this.cpu.cv(), f) + PEAK_WEIGHT * this.cpu.peak();
    return v + this.soft.penalty();
  }

  /**
   * Objective change of moving an instance of `memoryMb` MiB and `cores` busy cores (cpuUsage x
   * vcpus) from `a` to `b`, soft groups aside: the hot path of the search.
   */
  deltaLoad(memoryMb: number, cores: number, a: number, b: number): number {
    const ma = this.memCap[a] > 0 ? memoryMb / this.memCap[a] : 0;
    const mb = this.memCap[b] > 0 ? memoryMb / this.memCap[b] : 0;
    let d = this.mem.deltaCvPeak(a, -ma, b, mb, PEAK_WEIGHT, this.floor);
    if (this.cpu) {
      const ca = this.phys[a] > 0 ? cores / this.phys[a] : 0;
      const cb = this.phys[b] > 0 ? cores / this.phys[b] : 0;
      d += this.cpu.deltaCvPeak(a, -ca, b, cb, PEAK_WEIGHT, this.floor);
    }
    return d;
  }

  /** Objective after moving `i` from host index `a` to `b`, minus the current objective. O(1). */
  delta(i: Instance, a: number, b: number): number {
    const m = this.memShare(i, a);
    const m2 = this.memShare(i, b);
    let d = this.mem.deltaCvPeak(a, -m, b, m2, PEAK_WEIGHT, this.floor);
    if (this.cpu) d += this.cpu.deltaCvPeak(a, -this.cpuShare(i, a), b, this.cpuShare(i, b), PEAK_WEIGHT, this.floor);
    return d + this.soft.delta(i, a, b);
  }

  /** Objective change of exchanging `i` (on `a`) with `j` (on `b`). O(1). */
  deltaSwap(i: Instance, a: number, j: Instance, b: number): number {
    const dm = this.mem.deltaCvPeak(
      a,
      this.memShare(j, a) - this.memShare(i, a),
      b,
      this.memShare(i, b) - this.memShare(j, b),
      PEAK_WEIGHT,
      this.floor,
    );
    let d = dm;
    if (this.cpu) {
      d += this.cpu.deltaCvPeak(
        a,
        this.cpuShare(j, a) - this.cpuShare(i, a),
        b,
        this.cpuShare(i, b) - this.cpuShare(j, b),
        PEAK_WEIGHT,
        this.floor,
      );
    }
    return d + this.soft.deltaSwap(i, a, j, b);
  }

  apply(i: Instance, a: number, b: number): void {
    this.mem.shift(a, -this.memShare(i, a), b, this.memShare(i, b));
    if (this.cpu) this.cpu.shift(a, -this.cpuShare(i, a), b, this.cpuShare(i, b));
    this.soft.remove(i, a);
    this.soft.add(i, b);
  }

  /** The imbalance compared with the request's threshold: max(CV of memory allocation, CV of CPU utilisation). */
  imbalance(): number {
    return Math.max(this.mem.cv(), this.cpu ? this.cpu.cv() : 0);
  }

  /**
   * A lower bound on `value()`: each CV term is at least `floor` (perfectly even = CV 0), each
   * peak at least the capacity-weighted mean (were every host below it, the total would not
   * fit), and no soft penalty. Granularity is ignored, so the bound may be out of reach.
   */
  lowerBound(): number {
    let memTotal = 0;
    let capTotal = 0;
    let cpuTotal = 0;
    let physTotal = 0;
    for (let k = 0; k < this.n; k++) {
      memTotal += this.mem.x[k] * this.memCap[k];
      capTotal += this.memCap[k];
      if (this.cpu) cpuTotal += this.cpu.x[k] * this.phys[k];
      physTotal += this.phys[k];
    }
    let lb = this.floor + (capTotal > 0 ? PEAK_WEIGHT * (memTotal / capTotal) : 0);
    if (this.cpu) lb += this.floor + (physTotal > 0 ? PEAK_WEIGHT * (cpuTotal / physTotal) : 0);
    return lb;
  }
}
