/**
 * Property test of drains that make room on random fragmented cells: every plan passes the
 * verifier (plan() throws otherwise, and it is re-checked), and feasibility is never claimed
 * falsely: when a brute force over every end placement (a relaxation that ignores waves, so
 * stronger than any real sequence of moves) finds none, the planner says infeasible too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan, verifyPlan } from '../../planner/index.js';
import { fragmentedCellArb, somePlacementExists } from './support/fragmented.js';

describe('drains that make room: properties', () => {
  it('random fragmented cells: verified plans, feasibility never claimed falsely', () => {
    const seen = { feasible: 0, madeRoom: 0, impossible: 0, missed: 0 };
    fc.assert(
      fc.property(fragmentedCellArb, ({ inv, drain }) => {
        const p = plan(inv, { goal: 'drain', hosts: drain }, { exactTimeLimitMs: 200 });
        expect(verifyPlan(inv, p).violations).toEqual([]);
        expect(p.feasible).toBe(p.unplaced.length === 0);
        const extra = p.moves.filter((m) => !drain.includes(m.from));
        expect(p.metrics.extraMoves).toBe(extra.length);
        const exists = somePlacementExists(inv, drain);
        if (p.feasible) expect(exists, 'a verified plan implies an end placement').toBe(true);
        if (!exists) expect(p.feasible).toBe(false);
        if (p.feasible) seen.feasible++;
        if (extra.length) seen.madeRoom++;
        if (!exists) seen.impossible++;
        if (exists && !p.feasible) seen.missed++;
      }),
      { numRuns: 400, seed: 20261201 },
    );
    // The generator must exercise make-room and truly impossible drains, or the property says little.
    console.info('make-room property:', seen);
    expect(seen.madeRoom).toBeGreaterThan(35);
    expect(seen.impossible).toBeGreaterThan(20);
    console.info('make-room property:', seen);
  });
});
