import { describe, expect, it } from 'vitest';
import { plan, type PlannerOptions } from '../../planner/index.js';
import { AUTO_GAP_TOLERANCE } from '../../planner/solvers/index.js';
import { DRAIN_HOST, generateRegion } from '../../bench/gen.js';

// The bench's 20 VMs x 50 hosts drain, seed 2: the one random drain where the search beats the heuristic.
const inventory = generateRegion({ cells: 1, hostsPerCell: 50, drainVms: 20, seed: 2 * 7919 + 20, fill: [0.55, 0.85] });
const drain = (method: PlannerOptions['method']) =>
  plan(inventory, { goal: 'drain', hosts: [DRAIN_HOST] }, { method, now: () => performance.now() }).metrics;

describe('branch-and-bound budgets', () => {
  it('exact searches to the proven optimum; auto stops sooner with a plan between it and the heuristic', () => {
    const heuristic = drain('heuristic');
    const auto = drain('auto');
    const exact = drain('exact');
    expect(exact.method).toBe('exact-bb');
    expect(exact.gap).toBe(0);
    expect(auto.method).toBe('exact-bb');
    expect(auto.objective).toBeLessThan(heuristic.objective);
    expect(auto.objective).toBeGreaterThan(exact.objective);
    expect(auto.gap).toBeGreaterThan(0);
    expect(drain('auto')).toEqual(auto); // a work count, not a clock: the same plan every time
  });

  it('auto does not search a drain the heuristic already plans within AUTO_GAP_TOLERANCE of its bound; exact does', () => {
    // 10 VMs x 20 hosts, seed 1: the heuristic's plan is optimal, its analytical gap 0.21 %
    const small = generateRegion({ cells: 1, hostsPerCell: 20, drainVms: 10, seed: 7919 + 10, fill: [0.55, 0.85] });
    const metrics = (method: PlannerOptions['method']) =>
      plan(small, { goal: 'drain', hosts: [DRAIN_HOST] }, { method, now: () => 0 }).metrics;
    const heuristic = metrics('heuristic');
    expect(heuristic.gap).toBeGreaterThan(0);
    expect(heuristic.gap).toBeLessThan(AUTO_GAP_TOLERANCE);
    expect(metrics('auto')).toEqual(heuristic);
    const exact = metrics('exact');
    expect(exact.gap).toBe(0);
    expect(exact.objective).toBe(heuristic.objective);
  });
});
