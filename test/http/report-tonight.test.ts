/** GET /reports/capacity plans tonight's balance with the nightly run's settings: cells and cool-down. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { recordRecentMove } from '../support/plans.js';
import { startHarness, type Harness } from './support/harness.js';

const inventory = demoRegion({ seed: 5, cells: 2, size: 10 });

describe("capacity report: tonight's balance as the nightly run plans it", () => {
  let t: Harness;
  beforeAll(async () => {
    t = await startHarness({
      inventory,
      config: (c) => ({ ...c, nightly: { ...c.nightly, cells: ['cell2'], threshold: 0, cooldownHours: 24 } }),
    });
  });
  afterAll(() => t.close());

  it('balances the configured cells only and freezes instances moved within the cool-down', async () => {
    const moved = inventory.instances.find((i) => inventory.hosts.find((h) => h.name === i.host)?.cell === 'cell2')!;
    const now = Date.now();
    await recordRecentMove(t.store, moved, now);

    const r = await t.call('GET', '/reports/capacity?format=json');
    expect(r.status).toBe(200);
    expect(r.body.settings.frozenInstances).toBe(1);
    const byCell = new Map<string, { moves: { instance: string }[] }>(
      r.body.cells.map((c: { cell: string; tonight: { moves: { instance: string }[] } }) => [c.cell, c.tonight]),
    );
    expect(byCell.get('cell1')?.moves).toEqual([]);
    expect(byCell.get('cell2')?.moves.length).toBeGreaterThan(0);
    expect(byCell.get('cell2')?.moves.map((m) => m.instance)).not.toContain(moved.id);
  });
});
