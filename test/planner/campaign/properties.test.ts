/**
 * Property tests: random cells (messy ones from the shared generator, and tidy ones placed within
 * capacity) planned as campaigns; the verifier must accept every campaign (planMaintenance
 * throws otherwise), the step structure follows maxUnavailable, and nothing that reached a
 * patched host or a host outside the campaign moves again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planMaintenance, verifyCampaign, type CampaignPlan, type Inventory } from '../../../planner/index.js';
import { inventoryArb } from '../support/arbitrary.js';
import { host, inventory, vm } from '../support/tiny.js';

function checkStructure(inv: Inventory, p: CampaignPlan, n: number): void {
  expect(verifyCampaign(inv, p).violations).toEqual([]);
  const cellOf = new Map(inv.hosts.map((h) => [h.name, h.cell]));
  const perCell = new Map<string, number>();
  for (const h of p.target.hosts) perCell.set(cellOf.get(h)!, (perCell.get(cellOf.get(h)!) ?? 0) + 1);
  const steps = Math.max(0, ...[...perCell.values()].map((c) => Math.ceil(c / n)));
  expect(p.steps).toHaveLength(steps);
  expect(p.steps.flatMap((s) => s.hosts).sort()).toEqual([...p.target.hosts].sort());
  // Once on a host that will not be drained again, an instance stays there.
  const settled = new Set<string>();
  p.steps.forEach((s, k) => {
    const later = new Set(p.steps.slice(k + 1).flatMap((t) => t.hosts));
    const last = new Map<string, string>();
    for (const m of [...s.moves].sort((a, b) => a.wave - b.wave)) {
      // Make-room moves (from a host outside the step, a last resort) may move a settled instance.
      const makeRoom = !s.hosts.includes(m.from);
      if (!makeRoom) expect(settled.has(m.instance), `${m.instance} moves again in step ${k}`).toBe(false);
      last.set(m.instance, m.to);
    }
    for (const [id, to] of last) if (!later.has(to)) settled.add(id);
  });
  expect(p.metrics.gibToCopy + 1e-9).toBeGreaterThanOrEqual(p.feasible ? p.metrics.lowerBoundGib : 0);
}

/** A cell of 3-10 equal hosts, instances placed within capacity up to about `fill`. */
const tidyCell = fc
  .record({
    hosts: fc.integer({ min: 3, max: 10 }),
    fill: fc.constantFrom(0.3, 0.5, 0.7),
    sizes: fc.array(fc.constantFrom(1024, 2048, 4096, 8192), { minLength: 60, maxLength: 60 }),
    anti: fc.integer({ min: 0, max: 4 }),
    pinned: fc.boolean(),
  })
  .map(({ hosts, fill, sizes, anti, pinned }) => {
    const names = Array.from({ length: hosts }, (_, k) => `h${k}`);
    const used = new Map(names.map((h) => [h, 0]));
    const instances = [];
    let k = 0;
    for (const mb of sizes) {
      const on = names[k % hosts];
      if ((used.get(on)! + mb) / 32768 > fill) continue;
      used.set(on, used.get(on)! + mb);
      const group = k < anti ? { serverGroup: 'web' } : {};
      instances.push(vm(`v${k}`, on, { memoryMb: mb, vcpus: 1, ...group, pinned: pinned && k === anti }));
      k++;
    }
    return inventory(
      names.map((h) => host(h, { vcpus: 32, memoryMb: 32768 })),
      instances,
      [{ id: 'web', policy: 'anti-affinity' }],
    );
  });

describe('campaign properties', () => {
  it('messy inventories: every campaign over a cell verifies, with ceil(targets / N) steps', () => {
    fc.assert(
      fc.property(inventoryArb, fc.constantFrom('c1', 'c2'), fc.integer({ min: 1, max: 3 }), (inv, cell, n) => {
        if (!inv.hosts.some((h) => h.cell === cell && h.enabled && h.state === 'up')) return;
        checkStructure(inv, planMaintenance(inv, { cells: [cell], maxUnavailable: n }), n);
      }),
      { numRuns: 120, seed: 20261201 },
    );
  });

  it('messy inventories: named hosts across both cells verify too', () => {
    fc.assert(
      fc.property(inventoryArb, fc.integer({ min: 1, max: 2 }), (inv, n) => {
        const hosts = inv.hosts.filter((_, k) => k % 2 === 0).map((h) => h.name);
        checkStructure(inv, planMaintenance(inv, { hosts, maxUnavailable: n }), n);
      }),
      { numRuns: 80, seed: 20261202 },
    );
  });

  it('tidy cells: verified; a cell at most half full with maxUnavailable 1 is always feasible but for pins (group smaller than the cell)', () => {
    fc.assert(
      fc.property(tidyCell, fc.integer({ min: 1, max: 2 }), (inv, n) => {
        const p = planMaintenance(inv, { cells: ['cell1'], maxUnavailable: n });
        checkStructure(inv, p, n);
        const fill = inv.instances.reduce((s, i) => s + i.memoryMb, 0) / (32768 * inv.hosts.length);
        const web = inv.instances.filter((i) => i.serverGroup === 'web').length;
        if (n === 1 && fill <= 0.5 && web < inv.hosts.length)
          expect(p.unplaced.filter((u) => u.code !== 'PINNED')).toEqual([]);
      }),
      { numRuns: 80, seed: 20261203 },
    );
  });
});
