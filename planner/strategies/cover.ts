/**
 * The cheapest set of instances whose departure covers a host's shortfall: the fewest GiB copied
 * such that their summed vCPU, memory and local disk reach what the host lacks. A depth-first
 * search over the instances sorted by GiB, cheapest first, that prunes branches which cannot beat
 * the best cover found (a move copies at least its memory, so the memory still lacking bounds what
 * is left to pay) or cannot reach the shortfall; exact within its node budget, and on
 * budget exhaustion it returns the best cover found so far (still a valid cover).
 */
import type { ClusterView, Lack } from '../constraints/index.js';
import { EPS } from '../constraints/index.js';

/** Search nodes per call: a host holds tens of instances, and a cover rarely needs more than a few. */
export const COVER_NODE_BUDGET = 5_000;

export interface Cover {
  gib: number;
  /** Instance indexes, cheapest first. */
  pick: number[];
}

/** Cheapest cover of `lack` from `items` (instance indexes); `gibOf` is indexed by instance. */
export function cheapestCover(
  view: ClusterView,
  items: readonly number[],
  gibOf: Float64Array,
  lack: Lack,
): Cover | null {
  const order = [...items].sort((a, b) => gibOf[a] - gibOf[b] || view.demands[b].memoryMb - view.demands[a].memoryMb);
  const n = order.length;
  const d = order.map((i) => view.demands[i]);
  const g = order.map((i) => gibOf[i]);
  // What the items from k on can still add, per resource.
  const rest = { vcpus: new Float64Array(n + 1), memoryMb: new Float64Array(n + 1), diskGb: new Float64Array(n + 1) };
  for (let k = n - 1; k >= 0; k--) {
    rest.vcpus[k] = rest.vcpus[k + 1] + d[k].vcpus;
    rest.memoryMb[k] = rest.memoryMb[k + 1] + d[k].memoryMb;
    rest.diskGb[k] = rest.diskGb[k + 1] + d[k].diskGb;
  }
  if (rest.vcpus[0] < lack.vcpus - EPS || rest.memoryMb[0] < lack.memoryMb - EPS || rest.diskGb[0] < lack.diskGb - EPS)
    return null;
  let best: Cover | null = null;
  let nodes = 0;
  const pick: number[] = [];
  const search = (k: number, v: number, m: number, disk: number, gib: number): void => {
    if (v >= lack.vcpus - EPS && m >= lack.memoryMb - EPS && disk >= lack.diskGb - EPS) {
      if (!best || gib < best.gib - 1e-9) best = { gib, pick: pick.map((j) => order[j]) };
      return;
    }
    if (k === n || ++nodes > COVER_NODE_BUDGET) return;
    // Anything added from here costs at least g[k] (sorted by GiB), and at least the memory still
    // lacking: a move copies at least the instance's memory.
    if (best && gib + Math.max(g[k], (lack.memoryMb - m) / 1024) >= best.gib - 1e-9) return;
    if (v + rest.vcpus[k] < lack.vcpus - EPS || m + rest.memoryMb[k] < lack.memoryMb - EPS) return;
    if (disk + rest.diskGb[k] < lack.diskGb - EPS) return;
    pick.push(k);
    search(k + 1, v + d[k].vcpus, m + d[k].memoryMb, disk + d[k].diskGb, gib + g[k]);
    pick.pop();
    search(k + 1, v, m, disk, gib);
  };
  search(0, 0, 0, 0, 0);
  return best;
}
