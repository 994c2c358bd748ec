import { describe, expect, it } from 'vitest';
import { plan, type PlannerOptions } from '../../planner/index.js';
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
});
