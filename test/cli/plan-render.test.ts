import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION_LIMITS, drainSeconds, type ExecutionLimits } from '../../src/orchestrate/duration.js';
import { duration, renderPlanText, table } from '../../src/cli/render/plan-text.js';
import { planMetrics } from '../../planner/metrics.js';
import type { Move } from '../../planner/model/plan.js';
import { drainPlan, host, inventory, move, vm } from '../planner/support/tiny.js';

const m = (from: string, to: string, seconds: number, wave = 0): Move => ({
  ...move(vm(`${from}${to}${seconds}`, from), from, to, wave),
  estimatedSeconds: seconds,
});

/** The default concurrency with no per-migration overhead: durations are the moves' own. */
const bare: ExecutionLimits = { ...DEFAULT_EXECUTION_LIMITS, migrationOverheadSeconds: 0 };
const est = (moves: Move[], limits = bare) => drainSeconds(moves, limits);

describe('drainSeconds (the one duration estimate under the executor limits)', () => {
  it('runs up to 4 moves at once, at most 2 out of one host', () => {
    // Four moves leave h1: two at a time -> 2 rounds of 10 s.
    expect(est([m('h1', 'a', 10), m('h1', 'b', 10), m('h1', 'c', 10), m('h1', 'd', 10)])).toBe(20);
    // From four different hosts to four different hosts: all at once.
    expect(est([m('h1', 'a', 10), m('h2', 'b', 10), m('h3', 'c', 10), m('h4', 'd', 10)])).toBe(10);
    // Five independent moves: the fifth waits for the first to finish.
    expect(est([m('h1', 'a', 5), m('h2', 'b', 10), m('h3', 'c', 10), m('h4', 'd', 10), m('h5', 'e', 10)])).toBe(15);
  });
  it('limits arrivals per host to 2', () => {
    expect(est([m('h1', 'x', 10), m('h2', 'x', 10), m('h3', 'x', 10)])).toBe(20);
  });
  it('adds waves one after another', () => {
    expect(est([m('h1', 'a', 10, 0), m('h2', 'b', 7, 1), m('h3', 'c', 3, 1)])).toBe(17);
    expect(est([])).toBe(0);
  });
  it('uses the configured concurrency, bandwidth cap and per-migration overhead', () => {
    const four = [m('h1', 'a', 10), m('h2', 'b', 10), m('h3', 'c', 10), m('h4', 'd', 10)];
    const one = { ...bare, concurrency: { global: 1, perHostOutbound: 1, perHostInbound: 1 } };
    expect(est(four, one)).toBe(40);
    expect(est(four, { ...bare, migrationOverheadSeconds: 15 })).toBe(25);
    // 8 GiB at 64 MiB/s take 128 s, longer than the 10 s the link would allow
    const big = { ...m('h1', 'a', 10), gib: 8 };
    expect(est([big], { ...bare, bandwidthMiBps: 64 })).toBe(128);
    expect(est([big], { ...bare, bandwidthMiBps: 10_000 })).toBe(10);
  });
});

describe('plan text', () => {
  it('formats durations and aligns columns', () => {
    expect(duration(42)).toBe('42s');
    expect(duration(95)).toBe('1m35s');
    expect(duration(7300)).toBe('2h01m40s');
    expect(
      table([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toEqual(['  a    bb', '  ccc  d']);
  });

  it('shows moves by wave, touched hosts, unplaced instances and totals', () => {
    const v1 = vm('v1', 'h1', { memoryMb: 8192 });
    const p = vm('p', 'h1', { pinned: true });
    const inv = inventory([host('h1', { cpuUsage: 0.5 }), host('h2', { cpuUsage: 0.1 }), host('h3')], [v1, p]);
    const moves = [move(v1, 'h1', 'h2')];
    const plan = drainPlan(['h1'], moves, {
      feasible: false,
      unplaced: [{ instance: 'p', name: 'p', host: 'h1', code: 'PINNED', reason: 'instance p is pinned' }],
      metrics: planMetrics(inv, moves, { method: 'test', objective: 1, lowerBound: 0.5 }),
    });
    const text = renderPlanText(inv, plan);
    expect(text).toContain('Plan: drain of h1 (NOT feasible: 1 instance(s) cannot be placed)');
    expect(text).toContain('Wave 0 (1 move)');
    expect(text).toMatch(/v1\s+h1 -> h2\s+live\s+8\.0 GiB\s+est\. 10s/);
    expect(text).toMatch(/h1\s+50% -> 25%\s+75% -> 25%\s+50% -> 50%/);
    expect(text).toMatch(/h2\s+0% -> 25%\s+0% -> 50%\s+10% -> 10%/);
    expect(text).toMatch(/p\s+on h1\s+PINNED\s+instance p is pinned/);
    expect(text).toContain(
      'Totals: 1 move(s) in 1 wave(s), 8.0 GiB to copy, estimated 25s (4 at once, 2 out / 2 in per host, 15 s set-up each)',
    );
    expect(text).toContain('Method: test, objective 1.000, lower bound 0.500, gap 50.0%');
  });

  it('says which moves are predicted not to converge', () => {
    const v1 = vm('v1', 'h1', { memoryMb: 8192 });
    const v2 = vm('v2', 'h1');
    const inv = inventory([host('h1'), host('h2')], [v1, v2]);
    const moves: Move[] = [{ ...move(v1, 'h1', 'h2'), converges: false }, move(v2, 'h1', 'h2')];
    const text = renderPlanText(inv, drainPlan(['h1'], moves));
    expect(text).toMatch(/v1\s+h1 -> h2 .*est\. \S+\s+does not converge at its bandwidth: starts with auto-converge/);
    expect(text.split('\n').find((l) => l.includes('v2'))).not.toContain('converge');
  });
});
