/** Bandwidth shares and the convergence rule (planner/convergence.ts), and how plans carry them. */
import { describe, expect, it } from 'vitest';
import { bandwidthShares, CONVERGENCE_LIMIT, converges } from '../../planner/convergence.js';
import { plan, verifyPlan, type Move } from '../../planner/index.js';
import { host, inventory, vm } from './constraints-helpers.js';

const move = (name: string, from: string, to: string, wave = 0, mode: Move['mode'] = 'live'): Move => ({
  instance: name,
  name,
  from,
  to,
  mode,
  wave,
  estimatedSeconds: 1,
  timeoutSeconds: 1600,
  gib: 1,
});

describe('convergence rule', () => {
  it('holds below 80 % of the share; unknown dirty rates are assumed to converge', () => {
    expect(CONVERGENCE_LIMIT).toBe(0.8);
    expect(converges(null, 100)).toBe(true);
    expect(converges(79, 100)).toBe(true);
    expect(converges(80, 100)).toBe(false);
    expect(converges(500, 100)).toBe(false);
  });

  it('shares a link among the moves of one wave that use it, at most migrationsPerLink at once, capped', () => {
    const hosts = new Map([
      ['A', host('A', { migrationBandwidthMbps: 10_000 })],
      ['B', host('B', { migrationBandwidthMbps: 10_000 })],
      ['C', host('C', { migrationBandwidthMbps: 1_000 })],
    ]);
    const moves = [
      move('a', 'A', 'B'),
      move('b', 'A', 'B'),
      move('c', 'A', 'B'),
      move('d', 'A', 'C'),
      move('e', 'A', 'B', 1),
    ];
    expect(bandwidthShares(moves, hosts)).toEqual([5000, 5000, 5000, 500, 10_000]);
    expect(bandwidthShares(moves, hosts, { migrationsPerLink: 4 })).toEqual([2500, 2500, 2500, 250, 10_000]);
    // 8 MiB/s cap = 67.1 Mbit/s
    expect(bandwidthShares(moves, hosts, { migrationBandwidthMiBps: 8 })[4]).toBeCloseTo(67.109, 3);
    // cold moves copy no memory: they share nothing
    expect(bandwidthShares([move('a', 'A', 'B'), move('b', 'A', 'B', 0, 'cold')], hosts)).toEqual([10_000, 10_000]);
  });
});

describe('plans mark moves that will not converge', () => {
  const inv = () =>
    inventory(
      [host('src'), host('dst')],
      [vm('quiet', 'src', { dirtyRateMbps: 10 }), vm('busy', 'src', { dirtyRateMbps: 100 }), vm('unknown', 'src')],
    );

  it('drain: converges:false only where the dirty rate reaches 80 % of the share; the verifier accepts it', () => {
    const cap = { migrationBandwidthMiBps: 10 }; // 83.9 Mbit/s per migration
    const p = plan(inv(), { goal: 'drain', hosts: ['src'] }, cap);
    const byName = new Map(p.moves.map((m) => [m.name, m]));
    expect(byName.get('busy')!.converges).toBe(false);
    expect('converges' in byName.get('quiet')!).toBe(false);
    expect('converges' in byName.get('unknown')!).toBe(false);
    expect(verifyPlan(inv(), p).ok).toBe(true);
    // without the cap the 10 Gbit/s link (5 Gbit/s each, two at once) is plenty
    expect(plan(inv(), { goal: 'drain', hosts: ['src'] }).moves.some((m) => m.converges === false)).toBe(false);
  });
});
