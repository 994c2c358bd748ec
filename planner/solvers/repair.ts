/**
 * Repair for units a greedy construction left out: make room on a candidate host by moving one
 * placed unit elsewhere (an ejection), or by swapping a placed unit with one on another host.
 * Fragmentation is what usually defeats first-fit decreasing (5,4,3,3,3,2 GiB into 10+10); one
 * swap fixes it. Work is bounded so region-scale drains with a real capacity shortage stay fast.
 */
import { unitFits } from './problem.js';
import { put, take, type Work } from './work.js';

/** Maximum unit-fit checks spent on repair per plan. */
export const REPAIR_BUDGET = 2_000_000;

interface Budget {
  left: number;
}

function spend(b: Budget, n = 1): boolean {
  b.left -= n;
  return b.left > 0;
}

/** Tries to place every unplaced unit, in `order`. */
export function repair(w: Work, order: number[]): void {
  const budget = { left: REPAIR_BUDGET };
  for (const k of order) {
    if (w.hostOf[k] >= 0) continue;
    if (placeDirect(w, k) || eject(w, k, budget) || swapEject(w, k, budget)) continue;
    if (budget.left <= 0) return;
  }
}

function placeDirect(w: Work, k: number): boolean {
  const u = w.p.units[k];
  for (const h of u.candidates) {
    if (unitFits(w.p, w.s, u, h)) {
      put(w, k, h);
      return true;
    }
  }
  return false;
}

/** Move one unit v off a candidate host h of k to another host h2, then put k on h. */
function eject(w: Work, k: number, budget: Budget): boolean {
  const u = w.p.units[k];
  for (const h of u.candidates) {
    for (const v of [...(w.onHost.get(h) ?? [])]) {
      take(w, v);
      if (unitFits(w.p, w.s, u, h)) {
        put(w, k, h);
        for (const h2 of w.p.units[v].candidates) {
          if (!spend(budget)) break;
          if (h2 !== h && unitFits(w.p, w.s, w.p.units[v], h2)) {
            put(w, v, h2);
            return true;
          }
        }
        take(w, k);
      }
      put(w, v, h);
      if (budget.left <= 0) return false;
    }
  }
  return false;
}

/** Swap a unit v on candidate host h of k with a unit x on another host, then put k on h. */
function swapEject(w: Work, k: number, budget: Budget): boolean {
  const u = w.p.units[k];
  for (const h of u.candidates) {
    for (const v of [...(w.onHost.get(h) ?? [])]) {
      for (let x = 0; x < w.p.units.length; x++) {
        const h2 = w.hostOf[x];
        if (h2 < 0 || h2 === h || !spend(budget, 3)) continue;
        if (trySwapAndPlace(w, k, h, v, x, h2)) return true;
      }
      if (budget.left <= 0) return false;
    }
  }
  return false;
}

function trySwapAndPlace(w: Work, k: number, h: number, v: number, x: number, h2: number): boolean {
  const units = w.p.units;
  if (!units[v].allowed.has(h2) || !units[x].allowed.has(h)) return false;
  take(w, v);
  take(w, x);
  const ok = unitFits(w.p, w.s, units[x], h);
  if (ok) put(w, x, h);
  if (ok && unitFits(w.p, w.s, units[v], h2)) {
    put(w, v, h2);
    if (unitFits(w.p, w.s, units[k], h)) {
      put(w, k, h);
      return true;
    }
    take(w, v);
  }
  if (ok) take(w, x);
  put(w, v, h);
  put(w, x, h2);
  return false;
}
