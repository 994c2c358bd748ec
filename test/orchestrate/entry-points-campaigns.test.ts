/**
 * Campaign planning goes through the plan lifecycle at every entry point: with a host of cell1 in
 * operator maintenance (the host the planner would otherwise fill first), the forecast of
 * POST /maintenance, the capacity report's patch check over HTTP and from the CLI, and the drain
 * the campaign driver stores for a step all keep that host empty, and give the same answer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan, planMaintenance, type Inventory, type Move } from '../../planner/index.js';
import { run as runReport } from '../../src/cli/commands/report.js';
import type { CapacityReport } from '../../src/report/index.js';
import { type DemoService, startDemoService } from '../http/support/demo-service.js';
import { captureIo } from '../support/cli.js';
import { movesOf } from '../support/plans.js';

const DEMO = { seed: 5, cells: 2, size: 16, timeScale: 2000 };

/** A step of the campaign view (`POST /maintenance`). */
interface StepView {
  hosts: { host: string }[];
  moves: Move[];
  gibToCopy: number;
}

const targetsOf = (steps: readonly { moves: readonly Move[] }[]) => steps.flatMap((s) => s.moves.map((m) => m.to));
const namesOf = (s: StepView) => s.hosts.map((h) => h.host);

describe('campaign entry points plan through the lifecycle', () => {
  let d: DemoService;
  let inventory: Inventory;
  let cell1: Inventory;
  let drained: string;
  /** In operator maintenance, outside every campaign below that names its hosts. */
  let frozen: string;

  beforeAll(async () => {
    d = await startDemoService({
      REBALANCER_DEMO: JSON.stringify(DEMO),
      REBALANCER_INVENTORY__SAMPLE_MS: '0',
      REBALANCER_INVENTORY__DIRTY_RATE_MS: '0',
      REBALANCER_MAINTENANCE: JSON.stringify({ pollSeconds: 0.05 }),
    });
    inventory = await d.service.session.collect();
    const hosts = inventory.hosts.filter((h) => h.cell === 'cell1');
    cell1 = { ...inventory, hosts, instances: inventory.instances.filter((i) => hosts.some((h) => h.name === i.host)) };
    const used = (host: string) => inventory.instances.filter((i) => i.host === host).length;
    drained = [...hosts]
      .filter((h) => h.state === 'up')
      .sort((a, b) => used(a.name) - used(b.name) || a.name.localeCompare(b.name))
      .find((h) => used(h.name) >= 2)!.name;
    // without the freeze, the planner sends some of the drained host's guests to this host
    frozen = plan(inventory, { goal: 'drain', hosts: [drained] }, { seed: 1 }).moves[0].to;
    const set = await d.call('POST', `/hosts/${frozen}/maintenance?enabled=true&reason=test`);
    expect(set.status).toBe(200);
  }, 60_000);
  afterAll(() => d?.close());

  it('POST /maintenance for cell1, the HTTP report and the CLI report: the same patch forecast, the frozen host empty', async () => {
    const res = await d.call('POST', '/maintenance?cell=cell1');
    expect(res.status).toBe(201);
    const forecast = res.body.steps as StepView[];
    expect(targetsOf(forecast)).not.toContain(frozen);
    // the freeze decides something: without it, the same campaign fills the frozen host
    expect(targetsOf(planMaintenance(cell1, { cells: ['cell1'], maxUnavailable: 1 }).steps)).toContain(frozen);

    const http = await d.call('GET', '/reports/capacity?format=json');
    expect(http.status).toBe(200);
    const inventoryFile = join(d.dir, 'inventory.json');
    writeFileSync(inventoryFile, JSON.stringify(inventory));
    const configFile = join(d.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ store: { path: join(d.dir, 'store.sqlite') }, demo: DEMO }));
    const { io, out } = captureIo();
    const args = ['capacity', '--inventory', inventoryFile, '--config', configFile, '--format', 'json'];
    expect(await runReport(args, io)).toBe(0);
    expect(out.stderr).toBe('');

    const expected = forecast.map((s) => ({ hosts: namesOf(s), moves: s.moves.length, gibToCopy: s.gibToCopy }));
    for (const report of [http.body as CapacityReport, JSON.parse(out.stdout) as CapacityReport]) {
      expect(report.settings.maintenanceHosts).toEqual([frozen]);
      const check = report.cells.find((c) => c.cell === 'cell1')!.patching.find((p) => p.maxUnavailable === 1)!;
      expect(check.schedule.map((s) => ({ hosts: s.hosts, moves: s.moves, gibToCopy: s.gibToCopy }))).toEqual(expected);
    }
  });

  it('the step the driver plans and stores is the forecast step, keeps its later and own hosts, leaves the frozen host empty', async () => {
    const second = inventory.hosts.find(
      (h) => h.cell === 'cell1' && h.state === 'up' && h.name !== drained && h.name !== frozen,
    )!.name;
    const res = await d.call('POST', `/maintenance?host=${drained}&host=${second}&execute=true`);
    expect(res.status).toBe(201);
    const forecast = res.body.steps as StepView[];
    expect(forecast).toHaveLength(2);
    expect(targetsOf(forecast)).not.toContain(frozen);

    let planId: string | null = null;
    for (let i = 0; i < 200 && !planId; i++) {
      const hosts = await d.service.store.listCampaignHosts(res.body.id);
      planId = hosts.find((h) => h.step === 0 && h.planId)?.planId ?? null;
      if (!planId) await new Promise((r) => setTimeout(r, 25));
    }
    expect(planId).not.toBeNull();
    const step = (await d.service.store.getPlan(planId!))!;
    expect(step.request).toEqual({
      goal: 'drain',
      hosts: namesOf(forecast[0]),
      later: namesOf(forecast[1]),
      ownHosts: [drained, second],
      source: 'api',
    });
    expect(step.plan.moves.map((m) => m.to)).not.toContain(frozen);
    expect(movesOf(step.plan.moves)).toEqual(movesOf(forecast[0].moves));
    await d.call('POST', `/maintenance/${res.body.id}/cancel`);
    await d.service.lifecycle.idle();
  }, 60_000);
});
