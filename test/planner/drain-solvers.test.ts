import { describe, it, expect } from 'vitest';
import { buildView, createUsage } from '../../planner/constraints/index.js';
import { buildUnits } from '../../planner/solvers/units.js';
import { scoreOf, type Problem } from '../../planner/solvers/problem.js';
import { solveHeuristic } from '../../planner/solvers/heuristic.js';
import { solveExact } from '../../planner/solvers/exact.js';
import { lowerBound, fitsUnderLevel } from '../../planner/solvers/bound.js';
import { solvePlacement } from '../../planner/solvers/index.js';
import { host, inventory, vm } from './constraints-helpers.js';

/** Deterministic pseudo-random numbers for generated cases. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomProblem(seed: number): Problem {
  const r = rng(seed);
  const hosts = [host('src', { memoryMb: 1 << 20, vcpus: 256 })];
  const vms = [];
  for (let h = 0; h < 4; h++) {
    hosts.push(
      host(`h${h}`, {
        memoryMb: 16384 + Math.floor(r() * 4) * 4096,
        vcpus: 16,
        cpuUsage: r() < 0.5 ? null : 0.1 + r() * 0.4,
      }),
    );
    for (let k = 0; k < Math.floor(r() * 3); k++)
      vms.push(
        vm(`b${h}-${k}`, `h${h}`, { memoryMb: 2048 * (1 + Math.floor(r() * 2)), vcpus: 1 + Math.floor(r() * 3) }),
      );
  }
  for (let k = 0; k < 6; k++)
    vms.push(
      vm(`m${k}`, 'src', { memoryMb: 1024 * (1 + Math.floor(r() * 6)), vcpus: 1 + Math.floor(r() * 4), cpuUsage: r() }),
    );
  const view = buildView(inventory(hosts, vms), { drained: ['src'] });
  const base = createUsage(view);
  return { view, base, units: buildUnits(view, base, [...view.instancesByHost[0]], new Set()).units };
}

/** Best peak over every assignment that places all units (brute force; 4^6 = 4096 cases). */
function bruteForce(p: Problem): number {
  let best = Infinity;
  const hostOf = new Int32Array(p.units.length);
  const walk = (k: number) => {
    if (k === p.units.length) {
      const s = scoreOf(p, hostOf);
      if (s) best = Math.min(best, s.peak);
      return;
    }
    for (const h of p.units[k].candidates) {
      hostOf[k] = h;
      walk(k + 1);
    }
  };
  walk(0);
  return best;
}

describe('placement solvers against brute force', () => {
  it.each(Array.from({ length: 12 }, (_, k) => k + 1))(
    'seed %i: bound <= optimum <= heuristic; exact finds the optimum',
    (seed) => {
      const p = randomProblem(seed);
      const opt = bruteForce(p);
      const h = solveHeuristic(p);
      if (opt === Infinity) {
        expect(h.score.placed).toBeLessThan(6);
        return;
      }
      expect(h.score.placed).toBe(6);
      expect(h.objective).toBeGreaterThanOrEqual(opt - 1e-9);
      expect(lowerBound(p, h.hostOf, h.objective)).toBeLessThanOrEqual(opt + 1e-9);
      const e = solveExact(p, { incumbent: h.objective, timeLimitMs: 5000, now: () => performance.now() });
      if (e?.proven) expect(e.peak).toBeCloseTo(opt, 9);
      const s = solvePlacement(p, { method: 'auto', now: () => performance.now(), exactTimeLimitMs: 5000 });
      expect(s.lowerBound).toBeLessThanOrEqual(opt + 1e-9);
      expect(s.objective).toBeGreaterThanOrEqual(opt - 1e-9);
    },
  );
});

describe('MILP', () => {
  it('packs 5,4,3,3,3,2 GiB into 10 + 10 GiB exactly, integral and proven', () => {
    const hosts = [host('src', { memoryMb: 20480 }), host('t1', { memoryMb: 10240 }), host('t2', { memoryMb: 10240 })];
    const vms = [5, 4, 3, 3, 3, 2].map((g, k) => vm(`v${k}`, 'src', { memoryMb: g * 1024, vcpus: 1 }));
    const view = buildView(inventory(hosts, vms), { drained: ['src'] });
    const base = createUsage(view);
    const p: Problem = { view, base, units: buildUnits(view, base, [...view.instancesByHost[0]], new Set()).units };
    const e = solveExact(p, { incumbent: 1e6, timeLimitMs: 5000, now: () => performance.now() });
    expect(e).not.toBeNull();
    expect(e!.proven).toBe(true);
    expect(e!.peak).toBeCloseTo(1, 9);
    expect(scoreOf(p, e!.hostOf)!.placed).toBe(6);
  });
});

describe('fitsUnderLevel', () => {
  it('needs a host where the largest unit fits whole, and enough room in total', () => {
    const hosts = [
      { cap: 10, used: 5, floor: 0.5 },
      { cap: 10, used: 5, floor: 0.5 },
    ];
    expect(fitsUnderLevel(hosts, [6], 1, true)).toBe(false); // 10 free in total, but 5 per host
    expect(fitsUnderLevel(hosts, [5, 5], 1, true)).toBe(true);
    expect(fitsUnderLevel(hosts, [5, 5], 0.9, true)).toBe(false);
    expect(fitsUnderLevel([{ cap: 10, used: 0, floor: 0.95 }], [1], 0.9, true)).toBe(false); // another dimension is above t
  });
});
