/**
 * Nightly in execute mode with the real executor on a simulated cluster and a virtual clock:
 * moves already running at the window's end finish, no move starts after it.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { NightlyConfigSchema } from '../../src/nightly/config.js';
import { executeWithinWindow } from '../../src/nightly/execute.js';
import { createNightly } from '../../src/nightly/nightly.js';
import { createHarness, hosts, mv, vms, type Harness } from '../executor/harness.js';
import { balancePlan } from './helpers.js';

describe('nightly window with the executor', () => {
  let h: Harness;
  afterEach(() => h?.cleanup());

  it('starts no migration after the window end; the ones in flight finish', async () => {
    h = createHarness({ hosts: hosts(['h1', 'h2']), domains: vms(12, 'h1', { memoryMb: 4096 }) });
    const start = h.clock.now(); // 22:13:20 UTC
    const deadline = Date.parse('2023-11-14T22:14:00Z');
    expect(deadline - start).toBe(40_000);
    // one move per wave, so they run one after the other
    const plan = {
      ...balancePlan([]),
      moves: Array.from({ length: 12 }, (_, k) => mv(`vm${k}`, 'h1', 'h2', { wave: k })),
    };
    const nightly = createNightly({
      cron: { schedule: () => ({ stop() {} }) },
      store: h.store,
      clock: h.clock,
      planBalance: async () => ({ plan, frozenInstances: [] }),
      storePlan: async ({ plan: p }) =>
        (await h.store.createPlan({ plan: p, source: 'nightly', at: h.clock.now() })).id,
      executePlan: executeWithinWindow(h.executor, h.clock),
      isDrainRunning: () => false,
      log: pino({ level: 'silent' }),
      config: NightlyConfigSchema.parse({ mode: 'execute', timezone: 'UTC', windowEnd: '22:14' }),
    });
    const result = await nightly.runOnce(start);
    expect(result).toMatchObject({
      action: 'executed',
      moves: 12,
      status: 'cancelled',
      deadline: '2023-11-14T22:14:00.000Z',
    });
    const moves = await h.store.listMoves((result as { planId: string }).planId);
    const started = moves.filter((m) => m.startedAt !== null);
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThan(12);
    expect(started.every((m) => m.startedAt! < deadline)).toBe(true);
    expect(started.every((m) => m.state === 'succeeded')).toBe(true);
    expect(moves.filter((m) => m.startedAt === null).every((m) => m.state === 'cancelled')).toBe(true);
    expect(h.sim.migrations.every((m) => m.startedAt < deadline)).toBe(true);
  });
});
