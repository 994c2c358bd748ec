/** Picking the hosts a balance step looks at: the most loaded as sources, the least loaded as destinations. */
import type { Metric } from './metric.js';

/** Indices of the `k` largest (or smallest with `low`) values, best first; ties by index. */
export function extremes(x: Float64Array, k: number, low = false): number[] {
  const out: number[] = [];
  const better = (a: number, b: number) => (low ? x[a] < x[b] : x[a] > x[b]);
  for (let h = 0; h < x.length; h++) {
    if (out.length === k && !better(h, out[k - 1])) continue;
    let p = out.length;
    while (p > 0 && better(h, out[p - 1])) p--;
    out.splice(p, 0, h);
    if (out.length > k) out.pop();
  }
  return out;
}

/** Sum over metrics of each host's distance from the metric's mean in standard deviations. */
export function pressure(metrics: readonly Metric[]): Float64Array {
  const n = metrics[0].n;
  const out = new Float64Array(n);
  for (const m of metrics) {
    let s1 = 0;
    let s2 = 0;
    for (const v of m.x) {
      s1 += v;
      s2 += v * v;
    }
    const mean = s1 / n;
    const sd = Math.sqrt(Math.max(1e-18, s2 / n - mean * mean));
    for (let h = 0; h < n; h++) out[h] += (m.x[h] - mean) / sd;
  }
  return out;
}

/** Union of the extremes of every metric and of their combined pressure, in a stable order. */
export function hostSet(metrics: readonly (Metric | null)[], k: number, low: boolean): number[] {
  const present = metrics.filter((m): m is Metric => m !== null);
  const seen = new Set<number>(extremes(pressure(present), k, low));
  if (present.length > 1) for (const m of present) for (const h of extremes(m.x, k, low)) seen.add(h);
  return [...seen];
}
