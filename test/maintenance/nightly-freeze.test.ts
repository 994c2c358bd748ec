/** Nightly balancing leaves the cells of active campaigns alone: their instances are frozen, others are not. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../executor/clock.js';
import { plan, planMaintenance, type Inventory } from '../../planner/index.js';
import { createCampaignService } from '../../src/maintenance/service.js';
import { campaignFrozen } from '../../src/maintenance/wire.js';
import { openStore } from '../../src/store/sqlite.js';
import { host, inventory, vm } from '../planner/support/tiny.js';

const inv: Inventory = inventory(
  ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((n) => host(n, { cell: n[0] === 'a' ? 'ca' : 'cb' })),
  [
    vm('x1', 'a1', { memoryMb: 12288 }),
    vm('x2', 'a1', { memoryMb: 2048 }),
    vm('y1', 'b1', { memoryMb: 12288 }),
    vm('y2', 'b1', { memoryMb: 2048 }),
  ],
);

describe('nightly and active campaigns', () => {
  it('freezes the instances of cells with an active campaign only, until it ends', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'rb-freeze-')), 's.sqlite'));
    const svc = createCampaignService({
      store,
      clock: createVirtualClock({ start: 0, autoAdvance: true }),
      collect: async () => structuredClone(inv),
      steps: {
        forecast: async (inventory, request) => planMaintenance(inventory, request),
        planStep: async () => {
          throw new Error('not executed here');
        },
        save: async () => ({ ok: false, reason: 'not executed here' }),
        start: async () => {},
        status: async () => 'failed',
        cancel: async () => {},
      },
      settings: { returnTimeoutMinutes: 1, pollMs: 10 },
    });
    const created = await svc.create({ cells: ['ca'], source: 'api' }, false);
    if (!created.ok) throw new Error('refused');
    const frozen = await campaignFrozen(svc, inv);
    expect(frozen.sort()).toEqual(['x1', 'x2']);
    const balance = plan(inv, { goal: 'balance', threshold: 0, frozenInstances: frozen });
    expect(balance.moves.length).toBeGreaterThan(0);
    expect(balance.moves.every((m) => m.instance.startsWith('y'))).toBe(true);
    await svc.cancel(created.record.id);
    expect(await campaignFrozen(svc, inv)).toEqual([]);
  });
});
