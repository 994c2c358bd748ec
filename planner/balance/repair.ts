/**
 * Over-capacity repair: a host whose allocation exceeds its usable capacity (for instance after
 * an allocation-ratio change) sheds instances, the fewest GiB first, to the hosts where they
 * improve the balance objective most. What cannot be shed is reported with the closest host.
 */
import type { BlockCode } from '../constraints/check.js';
import type { UnplacedCode } from '../model/plan.js';
import { STAGE, checkTarget } from '../constraints/check.js';
import { demandOf } from '../constraints/view.js';
import { EPS, freeOf } from '../constraints/state.js';
import type { CellPlacement } from './placement.js';

/** An instance that had to leave an over-capacity host and could not. */
export interface RepairFailure {
  instance: number;
  host: number;
  code: UnplacedCode;
  reason: string;
}

type Excess = { vcpus: number; memoryMb: number; diskGb: number };

function excessOf(p: CellPlacement, h: number): Excess | null {
  const f = freeOf(p.view, p.usage, h);
  const ex = { vcpus: Math.max(0, -f.vcpus), memoryMb: Math.max(0, -f.memoryMb), diskGb: Math.max(0, -f.diskGb) };
  return ex.vcpus > EPS || ex.memoryMb > EPS || ex.diskGb > EPS ? ex : null;
}

/** How much of the excess one instance removes (1 = all of it), per GiB copied. */
function coverPerGib(p: CellPlacement, i: number, ex: Excess): { covers: boolean; value: number } {
  const d = demandOf(p.view.instances[i]);
  const parts: number[] = [];
  if (ex.vcpus > EPS) parts.push(Math.min(1, d.vcpus / ex.vcpus));
  if (ex.memoryMb > EPS) parts.push(Math.min(1, d.memoryMb / ex.memoryMb));
  if (ex.diskGb > EPS) parts.push(Math.min(1, d.diskGb / ex.diskGb));
  const covered = parts.reduce((s, x) => s + x, 0) / parts.length;
  return { covers: covered >= 1 - 1e-9, value: covered / Math.max(p.gib[i], 0.001) };
}

/** Next instance to shed: the cheapest that clears the excess alone, else the best cover per GiB. */
function pick(p: CellPlacement, list: readonly number[], ex: Excess): number | null {
  let best: number | null = null;
  let bestCovers = false;
  let bestValue = -1;
  for (const i of list) {
    const c = coverPerGib(p, i, ex);
    const better = c.covers ? !bestCovers || p.gib[i] < p.gib[best!] : !bestCovers && c.value > bestValue;
    if (best === null || better) [best, bestCovers, bestValue] = [i, c.covers, c.value];
  }
  return best;
}

/** The destination with the best objective for `i`, or the closest failure. */
function destination(p: CellPlacement, i: number): { to: number } | { code: BlockCode; reason: string } {
  let to = -1;
  let bestDelta = Infinity;
  let closest: { code: BlockCode; detail: string; score: number } | null = null;
  for (const h of p.hostOf) {
    if (h === p.loc[i]) continue;
    const c = checkTarget(p.view, i, h, p.usage);
    if (c.ok) {
      const d = p.delta(i, h);
      if (d < bestDelta) [to, bestDelta] = [h, d];
      continue;
    }
    const rank = STAGE[c.code] + (c.lack ? 1 / (1 + c.lack.score) : 0);
    if (!closest || rank > closest.score) closest = { code: c.code, detail: c.detail, score: rank };
  }
  if (to >= 0) return { to };
  return closest
    ? { code: closest.code, reason: `closest host: ${closest.detail}` }
    : { code: 'NO_TARGET_IN_CELL', reason: 'no other host in the cell' };
}

/** Why nothing on `h` could be shed: every instance there is fixed. */
function fixedOn(p: CellPlacement, h: number): RepairFailure[] {
  const out: RepairFailure[] = [];
  for (const i of p.onHost[p.local[h]]) {
    const f = p.fixed(i);
    if (f) out.push({ instance: i, host: h, code: f.code, reason: f.reason });
  }
  return out;
}

/** Sheds instances from every over-capacity host of the placement; returns what could not move. */
export function repairOverCapacity(p: CellPlacement): RepairFailure[] {
  const failures: RepairFailure[] = [];
  for (const h of p.hostOf) {
    const tried = new Set<number>();
    let ex = excessOf(p, h);
    while (ex) {
      const list = p.onHost[p.local[h]].filter((i) => p.movable(i) && !tried.has(i));
      const i = pick(p, list, ex);
      if (i === null) break;
      tried.add(i);
      const d = destination(p, i);
      if ('to' in d) p.apply(i, d.to);
      else failures.push({ instance: i, host: h, code: d.code, reason: d.reason });
      ex = excessOf(p, h);
    }
    if (!ex) while (failures.length && failures[failures.length - 1].host === h) failures.pop();
    else if (!failures.some((f) => f.host === h)) failures.push(...fixedOn(p, h));
  }
  return failures;
}
