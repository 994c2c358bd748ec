/**
 * One balance metric over the hosts of a cell (a fraction per host), with the running sum and sum
 * of squares and the three highest hosts, so the coefficient of variation and the peak after
 * changing two hosts are known in O(1).
 */
export class Metric {
  readonly x: Float64Array;
  private s1 = 0;
  private s2 = 0;
  /** Indices of the (up to) three highest hosts, highest first. */
  private top: number[] = [];
  /** cv() and peak() of the current state, kept because every candidate compares against them. */
  private cvNow = 0;
  private peakNow = 0;

  constructor(values: readonly number[]) {
    this.x = Float64Array.from(values);
    for (const v of this.x) {
      this.s1 += v;
      this.s2 += v * v;
    }
    this.refreshTop();
  }

  get n(): number {
    return this.x.length;
  }

  /** Population coefficient of variation (0 when the mean is 0). */
  cv(): number {
    return this.cvNow;
  }

  peak(): number {
    return this.peakNow;
  }

  /**
   * Change of `max(cv, floor) + w * peak` when host `a` changes by `da` and host `b` by `db`
   * (a != b). Below `floor` the spread is good enough and earns nothing.
   */
  deltaCvPeak(a: number, da: number, b: number, db: number, w: number, floor = 0): number {
    const xa = this.x[a] + da;
    const xb = this.x[b] + db;
    const s1 = this.s1 + da + db;
    const s2 = this.s2 - this.x[a] * this.x[a] - this.x[b] * this.x[b] + xa * xa + xb * xb;
    let peak = Math.max(xa, xb);
    for (const k of this.top) {
      if (k !== a && k !== b) {
        if (this.x[k] > peak) peak = this.x[k];
        break;
      }
    }
    const cv = Math.max(cvOf(s1, s2, this.n), floor) - Math.max(this.cvNow, floor);
    return cv + w * (peak - this.peakNow);
  }

  /** Applies a change to two hosts. */
  shift(a: number, da: number, b: number, db: number): void {
    this.set(a, this.x[a] + da);
    this.set(b, this.x[b] + db);
    this.refreshTop();
  }

  private set(k: number, v: number): void {
    this.s1 += v - this.x[k];
    this.s2 += v * v - this.x[k] * this.x[k];
    this.x[k] = v;
  }

  private refreshTop(): void {
    const top: number[] = [];
    for (let k = 0; k < this.x.length; k++) {
      const v = this.x[k];
      if (top.length === 3 && v <= this.x[top[2]]) continue;
      let p = top.length;
      while (p > 0 && this.x[top[p - 1]] < v) p--;
      top.splice(p, 0, k);
      if (top.length > 3) top.pop();
    }
    this.top = top;
    this.cvNow = cvOf(this.s1, this.s2, this.x.length);
    this.peakNow = top.length ? this.x[top[0]] : 0;
  }
}

export function cvOf(s1: number, s2: number, n: number): number {
  if (n === 0) return 0;
  const mean = s1 / n;
  if (mean <= 1e-12) return 0;
  const variance = s2 / n - mean * mean;
  return variance > 0 ? Math.sqrt(variance) / mean : 0;
}
