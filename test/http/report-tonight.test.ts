/** GET /reports/capacity plans tonight's balance with the nightly run's settings: cells and cool-down. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
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
    const metrics = {
      before: {},
      after: {},
      moves: 1,
      gibToCopy: 1,
      waves: 1,
      method: 'test',
      objective: 0,
      lowerBound: 0,
      gap: 0,
    };
    const move = {
      instance: moved.id,
      name: moved.name,
      from: 'elsewhere',
      to: moved.host,
      mode: 'live' as const,
      wave: 0,
      estimatedSeconds: 1,
      timeoutSeconds: 800,
      gib: 1,
    };
    const rec = t.store.createPlan({
      plan: { goal: 'balance', target: {}, feasible: true, moves: [move], unplaced: [], metrics },
      source: 'nightly',
      at: now - 3_600_000,
    });
    t.store.updateMove(rec.id, 0, { state: 'succeeded', endedAt: now - 3_000_000 }, now - 3_000_000);
    t.store.setPlanStatus(rec.id, 'succeeded', now - 3_000_000);

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
