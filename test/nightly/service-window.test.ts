/**
 * The nightly run as `rebalancer serve` wires it (demo region, real planner, SQLite store): its
 * plan fits the time left in the window at the executor's concurrency, by the planner's estimate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { planDurationSeconds } from '../../planner/estimate.js';
import { resolveExecutorOptions } from '../../executor/options.js';

describe('nightly plan within its window', () => {
  let service: Service;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rebalancer-window-'));
    const loaded = loadConfig({
      env: {
        REBALANCER_STORE__PATH: join(dir, 'store.sqlite'),
        REBALANCER_DEMO: JSON.stringify({ seed: 3, cells: 1, size: 40, timeScale: 60 }),
        REBALANCER_PLANNER__METHOD: 'heuristic',
        REBALANCER_NIGHTLY: JSON.stringify({
          enabled: false,
          mode: 'report',
          windowEnd: '05:00',
          timezone: 'UTC',
          threshold: 0.01,
          maxMovesPerNight: 500,
        }),
      },
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    service = await createService({ config: loaded.config, log: silentLogger(), nightly: false });
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const planned = async (iso: string) => {
    const result = await service.nightly.runOnce(Date.parse(iso));
    expect(result.action).toBe('planned');
    return (await service.store.getPlan((result as { planId: string }).planId))!.plan;
  };

  it('a short window gets a plan that fits it; a long one gets more moves', async () => {
    const { concurrency } = resolveExecutorOptions({});
    const overhead = 15;
    const short = await planned('2026-01-10T04:55:00Z'); // 300 s left
    expect(short.moves.length).toBeGreaterThan(0);
    expect(planDurationSeconds(short.moves, concurrency.global, overhead)).toBeLessThanOrEqual(300);
    const long = await planned('2026-01-10T00:00:00Z'); // five hours
    expect(long.moves.length).toBeGreaterThan(short.moves.length);
    expect(planDurationSeconds(long.moves, concurrency.global, overhead)).toBeLessThanOrEqual(5 * 3600);
  });
});
