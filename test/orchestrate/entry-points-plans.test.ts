/**
 * Every entry point that plans reaches the planner only through the plan lifecycle: on the same
 * service state (the most attractive target host put in maintenance), the plans the HTTP drain and
 * balance, the CLI drain, the nightly run and a maintenance campaign store avoid that host and are
 * what the lifecycle makes again from the stored request; the HTTP and CLI drains are the same plan,
 * and a plan stored by HTTP is executed by the CLI through the same lifecycle and store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan as plannerPlan, type Inventory, type Move } from '../../planner/index.js';
import { run as runDrain } from '../../src/cli/commands/drain.js';
import { run as runExecute } from '../../src/cli/commands/execute.js';
import type { PlanRecord } from '../../executor/store.js';
import { type DemoService, startDemoService } from '../http/support/demo-service.js';
import { captureIo } from '../support/cli.js';
import { movesOf } from '../support/plans.js';

const DEMO = { seed: 5, cells: 2, size: 16, timeScale: 2000 };
const NIGHTLY = { mode: 'report', threshold: 0.02, maxMovesPerNight: 3, cells: ['cell1'] };

describe('entry points plan through the lifecycle', () => {
  let d: DemoService;
  let inventory: Inventory;
  let configFile: string;
  /** The host drained, and the host put in maintenance: where its guests would go otherwise. */
  let drained: string;
  let frozen: string;
  let httpDrain: PlanRecord;

  const stored = async (id: string): Promise<PlanRecord> => (await d.service.store.getPlan(id))!;
  /** The plan's moves equal what the lifecycle plans again from its stored request, and avoid `frozen`. */
  const replansTheSame = async (record: PlanRecord) => {
    expect(record.request).toBeDefined();
    const again = await d.service.lifecycle.plan(inventory, record.request!);
    expect(movesOf(again.plan.moves)).toEqual(movesOf(record.plan.moves));
    expect(record.plan.moves.map((m: Move) => m.to)).not.toContain(frozen);
  };

  beforeAll(async () => {
    d = await startDemoService({
      REBALANCER_DEMO: JSON.stringify(DEMO),
      REBALANCER_INVENTORY__SAMPLE_MS: '0',
      REBALANCER_INVENTORY__DIRTY_RATE_MS: '0',
      REBALANCER_NIGHTLY: JSON.stringify(NIGHTLY),
    });
    inventory = await d.service.session.collect();
    const cell1 = inventory.hosts.filter((h) => h.cell === 'cell1' && h.state === 'up');
    const used = (host: string) => inventory.instances.filter((i) => i.host === host).length;
    drained = [...cell1]
      .sort((a, b) => used(a.name) - used(b.name) || a.name.localeCompare(b.name))
      .find((h) => used(h.name) >= 2)!.name;
    // without the freeze, the planner sends some of the drained host's guests to this host
    const unfrozen = plannerPlan(inventory, { goal: 'drain', hosts: [drained] }, { method: 'heuristic', seed: 1 });
    frozen = unfrozen.moves[0].to;
    expect(unfrozen.moves.length).toBeGreaterThan(1);
    const set = await d.call('POST', `/hosts/${frozen}/maintenance?enabled=true&reason=test`);
    expect(set.status).toBe(200);
    configFile = join(d.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { path: join(d.dir, 'store.sqlite') },
        demo: DEMO,
        planner: { method: 'heuristic' },
        inventory: { sampleMs: 0, dirtyRateMs: 0 },
      }),
    );
  }, 60_000);
  afterAll(() => d?.close());

  it('HTTP balance and the nightly run store requests the lifecycle plans again into the same moves', async () => {
    const res = await d.call('POST', '/plans/balance?cell=cell1&threshold=0.02&maxMoves=3');
    expect(res.status).toBe(201);
    const balance = await stored(res.body.id);
    expect(balance.request).toMatchObject({ goal: 'balance', cells: ['cell1'], threshold: 0.02, maxMoves: 3 });
    expect(balance.plan.moves.length).toBeGreaterThan(0);
    await replansTheSame(balance);

    const night = await d.service.nightly.runOnce(Date.parse('2026-12-02T02:00:00Z'));
    expect(night.action).toBe('planned');
    const nightly = await stored((night as { planId: string }).planId);
    expect(nightly.request).toMatchObject({ goal: 'balance', threshold: 0.02, maxMoves: 3, source: 'nightly' });
    expect(nightly.plan.moves.length).toBeGreaterThan(0);
    await replansTheSame(nightly);
  });

  it('HTTP drain: the stored plan and request are what the lifecycle makes, the frozen host receives nothing', async () => {
    const res = await d.call('POST', `/plans/drain?host=${drained}`);
    expect(res.status).toBe(201);
    httpDrain = await stored(res.body.id);
    expect(httpDrain.request).toMatchObject({ goal: 'drain', hosts: [drained], source: 'api' });
    expect(httpDrain.plan.feasible).toBe(true);
    await replansTheSame(httpDrain);
  });

  it('CLI drain: the same plan as the HTTP drain, from the same store', async () => {
    const { io, out } = captureIo();
    expect(
      await runDrain(['--config', configFile, '--host', drained, '--format', 'json', '--sample-ms', '0'], io),
    ).toBe(0);
    expect(movesOf(JSON.parse(out.stdout).moves)).toEqual(movesOf(httpDrain.plan.moves));
  });

  it("maintenance: a campaign's step drains as the lifecycle drains, the frozen host receives nothing", async () => {
    const res = await d.call('POST', `/maintenance?host=${drained}`);
    expect(res.status).toBe(201);
    const steps = res.body.steps as { hosts: string[]; moves: Move[] }[];
    expect(steps).toHaveLength(1);
    expect(movesOf(steps[0].moves)).toEqual(movesOf(httpDrain.plan.moves));
    expect(steps[0].moves.map((m) => m.to)).not.toContain(frozen);
  });

  it('CLI execute runs the plan HTTP stored through the same store: it ends succeeded and the service sees it', async () => {
    const { io } = captureIo();
    expect(await runExecute([httpDrain.id, '--config', configFile, '--format', 'json'], io)).toBe(0);
    const after = await stored(httpDrain.id);
    expect(after.status).toBe('succeeded');
    const view = await d.call('GET', `/plans/${httpDrain.id}`);
    expect(view.body.status).toBe('succeeded');
  }, 60_000);
});
