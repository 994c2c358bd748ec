/**
 * Local search on the peak: repeatedly take the receiving host with the highest utilisation and
 * apply the best move (one of its units to another host) or swap (one of its units with a unit on
 * another host) that brings both hosts involved below the current peak. Stops when the peak host
 * has no such move: the peak cannot drop without that host dropping.
 *
 * Each accepted step lowers the peak host below the old peak without raising any host to it, so
 * the number of hosts at the peak falls or the peak itself falls: the search terminates.
 */
import { hostPeak, peakWith, unitFits } from './problem.js';
import { peakOf, put, take, type Work } from './work.js';

const EPS = 1e-9;

/** Improves `w` in place. `maxSteps` bounds the work on pathological inputs. */
export function improvePeak(w: Work, maxSteps = 20_000): void {
  for (let step = 0; step < maxSteps; step++) {
    const { peak, host } = peakOf(w);
    if (host < 0) return;
    if (!bestMove(w, host, peak) && !bestSwap(w, host, peak)) return;
  }
}

/** Peak of host `h` as a receiver: -Infinity once nothing placed by the plan remains on it. */
function receiverPeak(w: Work, h: number): number {
  return w.onHost.has(h) ? hostPeak(w.p.view, w.s, h) : -Infinity;
}

function bestMove(w: Work, p: number, peak: number): boolean {
  let best = { value: peak - EPS, unit: -1, to: -1 };
  for (const k of [...w.onHost.get(p)!]) {
    const u = w.p.units[k];
    take(w, k);
    const from = receiverPeak(w, p);
    if (from < best.value) {
      for (const h of u.candidates) {
        if (h === p || !unitFits(w.p, w.s, u, h)) continue;
        const value = Math.max(from, peakWith(w.p.view, w.s, h, u.demand));
        if (value < best.value) best = { value, unit: k, to: h };
      }
    }
    put(w, k, p);
  }
  if (best.unit < 0) return false;
  take(w, best.unit);
  put(w, best.unit, best.to);
  return true;
}

function bestSwap(w: Work, p: number, peak: number): boolean {
  let best = { value: peak - EPS, a: -1, b: -1 };
  for (const a of [...w.onHost.get(p)!]) {
    for (let b = 0; b < w.p.units.length; b++) {
      const q = w.hostOf[b];
      if (q < 0 || q === p || !w.p.units[a].allowed.has(q) || !w.p.units[b].allowed.has(p)) continue;
      const value = swapValue(w, a, p, b, q);
      if (value < best.value) best = { value, a, b };
    }
  }
  if (best.a < 0) return false;
  const q = w.hostOf[best.b];
  take(w, best.a);
  take(w, best.b);
  put(w, best.b, p);
  put(w, best.a, q);
  return true;
}

/** max(peak of p, peak of q) after swapping a (on p) and b (on q); Infinity if a rule breaks. Leaves `w` unchanged. */
function swapValue(w: Work, a: number, p: number, b: number, q: number): number {
  const ua = w.p.units[a];
  const ub = w.p.units[b];
  take(w, a);
  take(w, b);
  let value = Infinity;
  if (unitFits(w.p, w.s, ub, p)) {
    put(w, b, p);
    if (unitFits(w.p, w.s, ua, q)) value = Math.max(hostPeak(w.p.view, w.s, p), peakWith(w.p.view, w.s, q, ua.demand));
    take(w, b);
  }
  put(w, a, p);
  put(w, b, q);
  return value;
}
