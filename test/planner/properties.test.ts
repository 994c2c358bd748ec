/**
 * Property tests: on random small inventories every plan the planner returns passes the
 * verifier, and a drain accounts for every instance of the drained host.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan, verifyPlan, type Inventory, type Plan } from '../../planner/index.js';
import { finalPlacement } from '../../planner/metrics.js';
import { inventoryAndHostArb, inventoryArb } from './support/arbitrary.js';

const RUNS = 150;

/** Runs the planner; a PlanVerificationError fails the property with the violations shown. */
function planned(inv: Inventory, request: Parameters<typeof plan>[1]): Plan {
  return plan(inv, request, { method: 'auto', exactTimeLimitMs: 200 });
}

describe('planner properties', () => {
  it('drain of a random host: verifier accepts; every drained instance is moved away or unplaced', () => {
    fc.assert(
      fc.property(inventoryAndHostArb, ({ inv, host }) => {
        const p = planned(inv, { goal: 'drain', hosts: [host] });
        expect(verifyPlan(inv, p).violations).toEqual([]);
        const end = finalPlacement(p.moves);
        const unplaced = new Set(p.unplaced.map((u) => u.instance));
        for (const inst of inv.instances) {
          if (inst.host !== host) continue;
          const left = (end.get(inst.id) ?? inst.host) !== host;
          expect(left !== unplaced.has(inst.id), `${inst.name}: moved away xor unplaced`).toBe(true);
        }
        expect(p.feasible).toBe(p.unplaced.length === 0);
      }),
      { numRuns: RUNS, seed: 20261121 },
    );
  });

  it('balance of all cells: verifier accepts', () => {
    fc.assert(
      fc.property(inventoryArb, (inv) => {
        const p = planned(inv, { goal: 'balance' });
        expect(verifyPlan(inv, p).violations).toEqual([]);
      }),
      { numRuns: RUNS, seed: 20261122 },
    );
  });

  it('balance of one cell with a move limit: verifier accepts and the limit holds', () => {
    fc.assert(
      fc.property(inventoryArb, fc.integer({ min: 0, max: 3 }), (inv, maxMoves) => {
        const p = planned(inv, { goal: 'balance', cells: ['c1'], maxMoves, threshold: 0 });
        expect(verifyPlan(inv, p).violations).toEqual([]);
        expect(new Set(p.moves.map((m) => m.instance)).size).toBeLessThanOrEqual(maxMoves);
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
  });
});
