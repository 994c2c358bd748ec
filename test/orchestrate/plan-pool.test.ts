/**
 * Planning on worker threads: the same plan as in-process, the planner's error types, a refreshed
 * inventory used by the next request (sent to a worker once per version, the older version of the
 * same cells dropped), and a worker that dies
 * reported as an error with the pool planning again afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { plan, UnknownHostError, type Inventory, type PlannerOptions } from '../../planner/index.js';
import { demoRegion } from '../../src/demo/region.js';
import { createPlanPool, PlanWorkerError } from '../../src/orchestrate/plan-pool.js';
import { sliceCells } from '../../src/inventory/slice.js';

const inventory = demoRegion({ seed: 3, cells: 3, size: 90 });
const options: PlannerOptions = { method: 'heuristic', seed: 7, now: () => 0 };

describe('plan pool', () => {
  const pool = createPlanPool({ size: 2 });
  afterAll(() => pool.close());

  it('gives the same plans as planning in-process, drains and balances', async () => {
    const host = inventory.hosts[5].name;
    const drain = { goal: 'drain' as const, hosts: [host] };
    const balance = { goal: 'balance' as const, threshold: 0.05, maxMoves: 30 };
    const [d, b] = await Promise.all([pool.plan(inventory, drain, options), pool.plan(inventory, balance, options)]);
    expect(d).toEqual(plan(inventory, drain, options));
    expect(b).toEqual(plan(inventory, balance, options));
    expect(d.moves.length).toBeGreaterThan(0);
    expect(b.moves.length).toBeGreaterThan(0);
  });

  it('sends a worker the requests behind the one it is planning (it does not wait for the event loop)', async () => {
    const one = createPlanPool({ size: 1, jobsPerWorker: 3 });
    try {
      const drains = [0, 1, 2, 3, 4].map((i) => ({ goal: 'drain' as const, hosts: [inventory.hosts[i].name] }));
      const planned = drains.map((d) => one.plan(inventory, d, options));
      expect(one.waiting()).toBe(2);
      expect(await Promise.all(planned)).toEqual(drains.map((d) => plan(inventory, d, options)));
      expect(one.waiting()).toBe(0);
    } finally {
      await one.close();
    }
  });

  it('rejects with the planner error types', async () => {
    const err = await pool.plan(inventory, { goal: 'drain', hosts: ['no-such-host'] }, options).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownHostError);
    expect(err).toMatchObject({ code: 'UNKNOWN_HOST', host: 'no-such-host' });
  });

  it('plans the next request on a refreshed inventory, sending each version once per worker', async () => {
    const host = inventory.hosts[0].name;
    const first = await pool.plan(inventory, { goal: 'drain', hosts: [host] }, options);
    expect(first.moves.some((m) => m.from === host)).toBe(true);
    // The refresh: the host's instances are gone (moved elsewhere by someone else).
    const refreshed: Inventory = { ...inventory, instances: inventory.instances.filter((i) => i.host !== host) };
    const sentBefore = pool.snapshotsSent();
    const second = await pool.plan(refreshed, { goal: 'drain', hosts: [host] }, options);
    expect(second.moves).toEqual([]);
    expect(second).toEqual(plan(refreshed, { goal: 'drain', hosts: [host] }, options));
    const sentAfterRefresh = pool.snapshotsSent();
    expect(sentAfterRefresh - sentBefore).toBe(1);
    await Promise.all(
      [1, 2, 3, 4].map((i) => pool.plan(refreshed, { goal: 'drain', hosts: [inventory.hosts[i].name] }, options)),
    );
    expect(pool.snapshotsSent() - sentAfterRefresh).toBeLessThanOrEqual(1);
  });

  it('sends each cell slice once while requests alternate between cells', async () => {
    const cells = [...new Set(inventory.hosts.map((h) => h.cell))];
    expect(cells.length).toBe(3);
    const sentBefore = pool.snapshotsSent();
    for (const round of [0, 1, 2])
      for (const cell of cells) {
        const slice = sliceCells(inventory, [cell]);
        const host = slice.hosts[round].name;
        const got = await pool.plan(slice, { goal: 'drain', hosts: [host] }, options);
        expect(got).toEqual(plan(slice, { goal: 'drain', hosts: [host] }, options));
      }
    // one idle worker that holds the version is preferred: each slice reaches a worker once
    expect(pool.snapshotsSent() - sentBefore).toBe(cells.length);
  });

  it('keeps one version per set of cells while the inventory is refreshed (the newest)', async () => {
    const cells = [...new Set(inventory.hosts.map((h) => h.cell))];
    for (const refresh of [1, 2, 3, 4]) {
      const snapshot: Inventory = { ...inventory, instances: [...inventory.instances] };
      for (const cell of cells) {
        const slice = sliceCells(snapshot, [cell]);
        await pool.plan(slice, { goal: 'drain', hosts: [slice.hosts[refresh].name] }, options);
      }
    }
    const workers = await pool.memory();
    expect(workers).toHaveLength(2);
    // at most the three newest slices and the whole inventory of the earlier tests, in each worker
    for (const w of workers) {
      expect(w.versions).toBeLessThanOrEqual(cells.length + 1);
      expect(w.instances).toBeLessThanOrEqual(2 * inventory.instances.length);
      expect(w.heapUsed).toBeGreaterThan(0);
    }
    expect(workers.reduce((n, w) => n + w.versions, 0)).toBeGreaterThanOrEqual(cells.length);
  });
});

describe('plan pool, a worker that dies', () => {
  // A worker's heap is capped above what a worker needs to start (~14 MB used) and far below what a
  // 3,000-host region needs (~67 MB): receiving it kills the worker, a new one starts.
  const pool = createPlanPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } });
  afterAll(() => pool.close());

  it('fails the request with PlanWorkerError and plans again with a new worker', async () => {
    const big = demoRegion({ seed: 1, cells: 20, size: 3000 });
    const err = await pool.plan(big, { goal: 'drain', hosts: [big.hosts[0].name] }, options).catch((e) => e);
    expect(err).toBeInstanceOf(PlanWorkerError);
    expect(err.code).toBe('PLAN_WORKER_FAILED');
    expect(err.message).toMatch(/stopped while planning/);
    const small = demoRegion({ seed: 2, cells: 1, size: 12 });
    const drain = { goal: 'drain' as const, hosts: [small.hosts[1].name] };
    expect(await pool.plan(small, drain, options)).toEqual(plan(small, drain, options));
  }, 90_000);

  it('plans the requests sent behind the one it died on with the new worker', async () => {
    const big = demoRegion({ seed: 1, cells: 20, size: 3000 });
    const small = demoRegion({ seed: 2, cells: 1, size: 12 });
    const drain = { goal: 'drain' as const, hosts: [small.hosts[2].name] };
    const killing = pool.plan(big, { goal: 'drain', hosts: [big.hosts[0].name] }, options).catch((e) => e);
    const behind = pool.plan(small, drain, options);
    expect(pool.waiting()).toBe(0); // both were sent to the one worker
    expect(await killing).toBeInstanceOf(PlanWorkerError);
    expect(await behind).toEqual(plan(small, drain, options));
  }, 90_000);
});
