/**
 * The goal checked after execution, through the service as `rebalancer serve` wires it (demo
 * region on the simulated cluster): a VM that lands on the drained host while the drain runs is
 * found and handed to a follow-up drain; a balance records the imbalance it achieved.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../executor/hypervisor/simulated/cluster.js';
import type { Service } from '../../src/app.js';
import type { Harness } from './support/harness.js';
import { type DemoService, startDemoService } from './support/demo-service.js';

const FINAL = ['succeeded', 'failed', 'cancelled'];

describe('goal checked after execution (demo service)', () => {
  let demo: DemoService;
  let service: Service;
  let call: Harness['call'];
  beforeAll(async () => {
    demo = await startDemoService({
      REBALANCER_DEMO: JSON.stringify({ seed: 21, cells: 2, size: 12, timeScale: 200 }),
      REBALANCER_INVENTORY__MAX_AGE_SECONDS: '0',
      REBALANCER_INVENTORY__SAMPLE_MS: '0',
    });
    ({ service, call } = demo);
  });
  afterAll(() => demo.close());

  /** Follows the chain from `id` to its last plan and waits until that one has ended. */
  async function lastOfChain(id: string) {
    for (let i = 0; i < 600; i++) {
      const p = (await call('GET', `/plans/${id}`)).body;
      if (p.supersededBy) id = p.supersededBy;
      else if (FINAL.includes(p.status) && p.outcome) return p;
      await sleep(100);
    }
    throw new Error(`plan chain of ${id} did not end`);
  }

  it('a VM landing on the drained host mid-drain is found and drained by a follow-up', async () => {
    const sim = service.session.cluster.hypervisor as SimulatedCluster;
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; cell: string; instances: number }>;
    const busy = hosts.filter((h) => h.instances > 3).sort((a, b) => b.instances - a.instances)[0];
    const inventory = await service.session.collect();
    const outsider = inventory.instances.find(
      (i) => i.status === 'ACTIVE' && i.host !== busy.name && hosts.find((h) => h.name === i.host)?.cell === busy.cell,
    )!;
    const created = await call('POST', `/plans/drain?host=${busy.name}&execute=true`);
    expect(created.status).toBe(201);
    const root = created.body.id as string;
    // while the drain runs, the outsider turns up on the drained host
    for (let i = 0; i < 200; i++) {
      const moves = (await call('GET', `/plans/${root}`)).body.moves as Array<{ state: string }>;
      if (moves.some((m) => m.state !== 'pending')) break;
      await sleep(20);
    }
    sim.faults.moveOutOfBand(outsider.id, busy.name);
    const first = (await call('GET', `/plans/${root}`)).body;
    const last = await lastOfChain(root);
    const rootNow = (await call('GET', `/plans/${root}`)).body;
    expect(rootNow.outcome).toMatchObject({
      goal: 'drain',
      met: false,
      hosts: [{ host: busy.name, empty: false, arrived: [{ id: outsider.id }] }],
      followUp: { instances: [outsider.id] },
    });
    expect(rootNow.outcome.followUp.planId).toBe(rootNow.supersededBy);
    expect(rootNow.outcome.followUp.note).toMatch(/follow-up drain/);
    expect(last.id).not.toBe(first.id);
    expect(last.status).toBe('succeeded');
    expect(last.outcome).toMatchObject({ goal: 'drain', met: true, hosts: [{ host: busy.name, empty: true }] });
    expect(last.moves.map((m: { instance: string }) => m.instance)).toContain(outsider.id);
    expect(sim.whereIs(outsider.id)!.host).not.toBe(busy.name);
    const events = (await call('GET', `/plans/${root}/events?limit=1000`)).body.events as Array<{ type: string }>;
    expect(events.map((e) => e.type)).toContain('plan.outcome');
    const metrics = (await call('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/rebalancer_plan_goals_total\{goal="drain",met="false"\} 1/);
    expect(metrics).toMatch(/rebalancer_plan_goals_total\{goal="drain",met="true"\} 1/);
  }, 120_000);

  it('a balance records the imbalance it achieved against what it planned', async () => {
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ cell: string }>;
    const cell = hosts[hosts.length - 1].cell;
    const created = await call('POST', `/plans/balance?cell=${cell}&threshold=0.01&maxMoves=4&execute=true`);
    expect(created.status).toBe(201);
    const last = await lastOfChain(created.body.id as string);
    expect(last.outcome.goal).toBe('balance');
    const c = last.outcome.cells.find((x: { cell: string }) => x.cell === cell);
    expect(c).toBeDefined();
    expect(c.planned).toBe(
      Math.round(Math.max(last.metrics.after[cell].memAlloc.cv, last.metrics.after[cell].cpuUsage?.cv ?? 0) * 1e4) /
        1e4,
    );
    expect(typeof c.achieved).toBe('number');
    expect(last.status).toBe(last.outcome.met ? 'succeeded' : 'failed');
  }, 120_000);
});
