/**
 * Soft server-group preferences as an objective penalty: pairs of `soft-anti-affinity` members
 * sharing a host, and pairs of `soft-affinity` members on different hosts. Each pair costs
 * SOFT_PAIR_COST / hosts, i.e. about as much as a good single balancing move gains, so balance
 * neither creates such pairs lightly nor moves much just to remove old ones.
 */
import type { Instance } from '../model/inventory.js';

export const SOFT_PAIR_COST = 0.05;

type SoftPolicy = 'soft-affinity' | 'soft-anti-affinity';

export class SoftGroups {
  /** group -> host index -> members there. */
  private readonly counts = new Map<string, Map<number, number>>();
  private readonly sizes = new Map<string, number>();
  private pairs = 0;

  constructor(
    private readonly n: number,
    private readonly policyOf: (group: string) => SoftPolicy | null,
  ) {}

  private group(i: Instance): { g: string; anti: boolean } | null {
    if (!i.serverGroup) return null;
    const p = this.policyOf(i.serverGroup);
    return p ? { g: i.serverGroup, anti: p === 'soft-anti-affinity' } : null;
  }

  private at(g: string, h: number): number {
    return this.counts.get(g)?.get(h) ?? 0;
  }

  /** Penalised pairs created by adding a member of `g` to host `h` (before it is added). */
  private pairsAdded(g: string, anti: boolean, h: number): number {
    const here = this.at(g, h);
    return anti ? here : this.sizes.get(g)! - here;
  }

  add(i: Instance, h: number): void {
    const s = this.group(i);
    if (!s) return;
    if (!this.sizes.has(s.g)) this.sizes.set(s.g, 0);
    this.pairs += this.pairsAdded(s.g, s.anti, h);
    let m = this.counts.get(s.g);
    if (!m) {
      m = new Map();
      this.counts.set(s.g, m);
    }
    m.set(h, (m.get(h) ?? 0) + 1);
    this.sizes.set(s.g, this.sizes.get(s.g)! + 1);
  }

  remove(i: Instance, h: number): void {
    const s = this.group(i);
    if (!s) return;
    const m = this.counts.get(s.g)!;
    m.set(h, m.get(h)! - 1);
    this.sizes.set(s.g, this.sizes.get(s.g)! - 1);
    this.pairs -= this.pairsAdded(s.g, s.anti, h);
  }

  penalty(): number {
    return this.n ? (this.pairs * SOFT_PAIR_COST) / this.n : 0;
  }

  /** Penalty change of moving `i` from host `a` to host `b`. */
  delta(i: Instance, a: number, b: number): number {
    const s = this.group(i);
    if (!s || a === b) return 0;
    // Removing i from a: the pairs it formed there (or the separated pairs it formed elsewhere).
    const sign = s.anti ? 1 : -1;
    const change = sign * (this.at(s.g, b) - (this.at(s.g, a) - 1));
    return this.n ? (change * SOFT_PAIR_COST) / this.n : 0;
  }

  /** Penalty change of exchanging `i` (on `a`) and `j` (on `b`). */
  deltaSwap(i: Instance, a: number, j: Instance, b: number): number {
    if (i.serverGroup && i.serverGroup === j.serverGroup) return 0;
    return this.delta(i, a, b) + this.delta(j, b, a);
  }
}
