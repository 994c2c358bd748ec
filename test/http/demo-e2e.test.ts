/**
 * End to end over HTTP: the service as `rebalancer serve` wires it (demo region on the simulated
 * cluster, SQLite file, executor, runner), a drain executed to the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/app.js';
import type { Harness } from './support/harness.js';
import { type DemoService, startDemoService } from './support/demo-service.js';

describe('demo service end to end', () => {
  let demo: DemoService;
  let service: Service;
  let call: Harness['call'];
  beforeAll(async () => {
    demo = await startDemoService({
      REBALANCER_DEMO: JSON.stringify({ seed: 21, cells: 2, size: 12, timeScale: 500 }),
    });
    ({ service, call } = demo);
  });
  afterAll(() => demo.close());

  it('drains a host of the simulated cluster: plan succeeded, every move succeeded, host empty', async () => {
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; instances: number }>;
    const busy = hosts.find((h) => h.instances > 5)!;
    const wallStart = Date.now();
    const created = await call('POST', `/plans/drain?host=${busy.name}&execute=true`);
    expect(created.status).toBe(201);
    expect(created.body.feasible).toBe(true);
    const id = created.body.id as string;
    let plan = created.body;
    for (let i = 0; i < 300 && !['succeeded', 'failed', 'cancelled'].includes(plan.status); i++) {
      await sleep(100);
      plan = (await call('GET', `/plans/${id}`)).body;
    }
    expect(plan.status).toBe('succeeded');
    const wallMs = Date.now() - wallStart;
    expect(plan.moves.length).toBe(busy.instances);
    // The executor runs on the cluster's clock (500x): its move timestamps span far more than the wall time.
    const moves = await service.store.listMoves(id);
    const span = Math.max(...moves.map((m) => m.endedAt!)) - Math.min(...moves.map((m) => m.startedAt!));
    expect(span).toBeGreaterThan(20 * wallMs);
    expect(
      plan.moves.every(
        (m: { state: string; progress: { percent: number } }) => m.state === 'succeeded' && m.progress.percent === 100,
      ),
    ).toBe(true);
    expect(plan.etaSeconds).toBe(0);
    const events = (await call('GET', `/plans/${id}/events?limit=1000`)).body.events as Array<{ type: string }>;
    expect(events.map((e) => e.type)).toContain('plan.started');
    const after = (await call('GET', `/hosts/${busy.name}`, {})).body;
    // The cached inventory may be up to 2 s old; a fresh collection shows the host empty.
    const fresh = await service.session.collect();
    expect(fresh.instances.filter((i) => i.host === busy.name)).toEqual([]);
    expect(after.maintenance).toMatchObject({ reason: 'drain', planId: id });
    const metrics = (await call('GET', '/metrics')).body as string;
    expect(metrics).toContain(`rebalancer_moves_total{outcome="succeeded"} ${busy.instances}`);
  });

  it('is ready: the store takes a write, every host of the cluster answers, the inventory is fresh', async () => {
    const r = await call('GET', '/readyz', { token: null });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    expect(r.body.checks.store).toEqual({ state: 'ok' });
    expect(r.body.checks.hypervisors.state).toBe('ok');
    expect(r.body.checks.hypervisors.hosts).toHaveLength(service.session.cluster.hosts.length);
    expect(r.body.checks.inventory).toMatchObject({ state: 'ok', maxAgeSeconds: 5 });
    expect(r.body.checks.inventory.ageSeconds).toBeLessThanOrEqual(10);
  });
});
