/**
 * The quick N+1 proofs are sound on random messy inventories: a "drainable" placement passes
 * the independent plan verifier, and a "blocked" host is one the drain planner cannot empty,
 * for the same instances and codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan, verifyPlan, type Inventory, type Move, type Plan } from '../../planner/index.js';
import { estimatedSeconds, migrationMode, moveGib, timeoutSeconds } from '../../planner/estimate.js';
import { planMetrics } from '../../planner/metrics.js';
import { createQuickDrain } from '../../planner/index.js';
import { inventoryAndHostArb } from '../planner/support/arbitrary.js';
import { fragmentedCells, somePlacementExists } from '../planner/support/fragmented.js';

/** The greedy's placement as a one-wave drain plan, so the verifier can judge it. */
function witness(inv: Inventory, host: string, placement: Array<{ instance: string; to: string }>): Plan {
  const byId = new Map(inv.instances.map((i) => [i.id, i]));
  const byName = new Map(inv.hosts.map((h) => [h.name, h]));
  const moves: Move[] = placement.map(({ instance, to }) => {
    const inst = byId.get(instance)!;
    const mode = migrationMode(inst).mode!;
    const [src, dst] = [byName.get(inst.host)!, byName.get(to)!];
    return {
      instance,
      name: inst.name,
      from: inst.host,
      to,
      mode,
      wave: 0,
      estimatedSeconds: estimatedSeconds(inst, mode, src, dst),
      timeoutSeconds: timeoutSeconds(inst, mode),
      gib: moveGib(inst, mode),
    };
  });
  const metrics = planMetrics(inv, moves, { method: 'quick', objective: 0, lowerBound: 0 });
  return { goal: 'drain', target: { hosts: [host] }, feasible: true, moves, unplaced: [], metrics };
}

describe('quick N+1 proofs', () => {
  it('drainable means a verified plan exists; blocked means the drain planner fails on those instances', () => {
    const seen = { drainable: 0, blocked: 0, unknown: 0 };
    fc.assert(
      fc.property(inventoryAndHostArb, fc.boolean(), ({ inv, host }, maintenance) => {
        const other = inv.hosts.find((h) => h.name !== host);
        const avoidHosts = maintenance && other ? [other.name] : [];
        const answer = createQuickDrain(inv, { avoidHosts }).check(host);
        seen[answer.kind]++;
        if (answer.kind === 'drainable') {
          const onHost = inv.instances
            .filter((i) => i.host === host)
            .map((i) => i.id)
            .sort();
          expect(answer.placement.map((p) => p.instance).sort()).toEqual(onHost);
          expect(verifyPlan(inv, witness(inv, host, answer.placement), { avoidHosts }).violations).toEqual([]);
        } else if (answer.kind === 'blocked') {
          const full = plan(inv, { goal: 'drain', hosts: [host] }, { avoidHosts, exactTimeLimitMs: 200 });
          expect(full.feasible).toBe(false);
          const unplaced = new Map(full.unplaced.map((u) => [u.instance, u.code]));
          for (const b of answer.blockers) expect(unplaced.get(b.instance), b.name).toBe(b.code);
        }
      }),
      { numRuns: 300, seed: 20261122 },
    );
    // the generator must exercise both proofs, or the property says little
    expect(seen.drainable).toBeGreaterThan(30);
    expect(seen.blocked).toBeGreaterThan(30);
  });

  it('blocked holds under make-room: on fragmented cells, no end placement at all empties a blocked host', () => {
    let blocked = 0;
    fc.assert(
      fc.property(fragmentedCells(2), ({ inv, drain }) => {
        const answer = createQuickDrain(inv, {}).check(drain[0]);
        if (answer.kind !== 'blocked') return;
        blocked++;
        expect(somePlacementExists(inv, [drain[0]])).toBe(false);
      }),
      { numRuns: 400, seed: 20261202 },
    );
    expect(blocked).toBeGreaterThan(10);
  });
});
