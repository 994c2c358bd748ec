/** A mutable assignment under construction: state, host per unit and units per host, kept in sync. */
import type { UsageState } from '../constraints/index.js';
import { cloneUsage } from '../constraints/index.js';
import type { Problem } from './problem.js';
import { hostPeak, placeUnit, unplaceUnit } from './problem.js';

export interface Work {
  p: Problem;
  s: UsageState;
  hostOf: Int32Array;
  /** Units placed per host (only hosts that received something). */
  onHost: Map<number, number[]>;
}

export function newWork(p: Problem): Work {
  return { p, s: cloneUsage(p.base), hostOf: new Int32Array(p.units.length).fill(-1), onHost: new Map() };
}

export function put(w: Work, k: number, h: number): void {
  placeUnit(w.p, w.s, w.p.units[k], h);
  w.hostOf[k] = h;
  const list = w.onHost.get(h);
  if (list) list.push(k);
  else w.onHost.set(h, [k]);
}

export function take(w: Work, k: number): void {
  const h = w.hostOf[k];
  unplaceUnit(w.p, w.s, w.p.units[k], h);
  w.hostOf[k] = -1;
  const list = w.onHost.get(h)!;
  list.splice(list.indexOf(k), 1);
  if (list.length === 0) w.onHost.delete(h);
}

/** Peak over receiving hosts, and the host that has it (-1 when nothing is placed). */
export function peakOf(w: Work): { peak: number; host: number } {
  let peak = 0;
  let host = -1;
  for (const h of w.onHost.keys()) {
    const v = hostPeak(w.p.view, w.s, h);
    if (v > peak || host < 0 || (v === peak && h < host)) {
      peak = v;
      host = h;
    }
  }
  return { peak, host };
}
