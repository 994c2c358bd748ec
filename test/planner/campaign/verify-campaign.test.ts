/**
 * The campaign verifier rejects broken campaigns: each mutation of a valid campaign is caught
 * with its stable code (and the step it happens in).
 */
import { describe, expect, it } from 'vitest';
import { planMaintenance, verifyCampaign, type CampaignPlan } from '../../../planner/index.js';
import { host, inventory, vm } from '../support/tiny.js';

const inv = inventory(
  ['a', 'b', 'c', 'd'].map((n) => host(n)),
  [vm('a1', 'a'), vm('a2', 'a', { memoryMb: 2048 }), vm('b1', 'b'), vm('c1', 'c'), vm('d1', 'd', { memoryMb: 8192 })],
);
const valid = () => structuredClone(planMaintenance(inv, { cells: ['cell1'], maxUnavailable: 1 }));
const codes = (p: CampaignPlan) => verifyCampaign(inv, p).violations.map((v) => v.code);

describe('campaign verifier', () => {
  it('accepts the planned campaign', () => {
    expect(verifyCampaign(inv, valid()).violations).toEqual([]);
  });

  it('rejects two hosts of one cell in a step beyond maxUnavailable (STEP_LIMIT)', () => {
    const p = valid();
    const [s0, s1] = p.steps;
    s0.hosts.push(...s1.hosts);
    s0.moves.push(...s1.moves);
    p.steps.splice(1, 1);
    p.metrics.steps--;
    expect(codes(p)).toContain('STEP_LIMIT');
  });

  it('rejects a target in no step and a target in two steps', () => {
    const p = valid();
    const last = p.steps.pop()!;
    p.metrics.steps--;
    p.metrics.moves -= last.moves.length;
    p.metrics.gibToCopy -= last.gibToCopy;
    expect(codes(p)).toContain('TARGET_MISSING');
    const q = valid();
    q.steps[1].hosts.push(q.steps[0].hosts[0]);
    expect(codes(q)).toContain('TARGET_TWICE');
  });

  it('rejects a move onto a host drained in the same step, tagged with the step', () => {
    const p = valid();
    const s = p.steps[1];
    s.moves[0].to = s.hosts[0];
    const v = verifyCampaign(inv, p).violations.find((x) => x.code === 'SAME_HOST' || x.code === 'TARGET_DRAINED');
    expect(v?.step).toBe(1);
    expect(v?.message).toMatch(/^step 1: /);
  });

  it('checks each step from the state the earlier steps left (a stale `from` is FROM_MISMATCH)', () => {
    const p = valid();
    // The first step's instances now live elsewhere; pretend step 0 never ran.
    p.steps[0].moves = [];
    expect(codes(p)).toEqual(expect.arrayContaining(['DRAIN_UNLISTED']));
    const q = valid();
    const moved = q.steps[0].moves[0];
    const later = q.steps.findIndex((s) => s.hosts.includes(moved.to));
    const again = q.steps[later].moves.find((m) => m.instance === moved.instance)!;
    again.from = moved.from;
    expect(codes(q)).toContain('FROM_MISMATCH');
  });

  it('rejects capacity overflow in a step', () => {
    const p = valid();
    const big = inventory(
      inv.hosts,
      inv.instances.map((i) => (i.id === 'd1' ? { ...i, memoryMb: 16000 } : i)),
    );
    const s = p.steps.find((x) => x.moves.some((m) => m.to === 'd'));
    if (!s) return;
    expect(verifyCampaign(big, p).violations.map((v) => v.code)).toContain('CAPACITY');
  });

  it('rejects wrong bookkeeping: unplaced union, feasible flag, metrics', () => {
    const p = valid();
    p.unplaced.push({ instance: 'a1', name: 'a1', host: 'a', code: 'NO_CAPACITY', reason: 'x' });
    expect(codes(p)).toEqual(expect.arrayContaining(['UNPLACED_UNION', 'FEASIBLE_FLAG']));
    const q = valid();
    q.metrics.moves++;
    q.metrics.gibToCopy += 1;
    q.metrics.instancesMovedTwiceOrMore++;
    q.metrics.lowerBoundGib = 0;
    q.steps[0].gibToCopy += 3;
    expect(codes(q)).toEqual(
      expect.arrayContaining(['METRICS_MOVES', 'METRICS_GIB', 'METRICS_TWICE', 'METRICS_LOWER_BOUND', 'STEP_GIB']),
    );
  });

  it('rejects a maxUnavailable below 1', () => {
    const p = valid();
    p.target.maxUnavailable = 0;
    expect(codes(p)).toContain('MAX_UNAVAILABLE');
  });
});
