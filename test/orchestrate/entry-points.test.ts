/**
 * Every entry point plans through the one plan lifecycle: the CLI report and the HTTP report,
 * given the same inventory, the same store (a host in maintenance, an instance moved within the
 * cool-down) and the same configuration (executor limits, patch time), say the same about N+1,
 * tonight's balance and whether each cell can be patched now.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/report.js';
import { demoRegion } from '../../src/demo/region.js';
import type { CapacityReport } from '../../src/report/index.js';
import { recordRecentMove } from '../support/plans.js';
import { startHarness, type Harness } from '../http/support/harness.js';

const inventory = demoRegion({ seed: 11, cells: 2, size: 10 });
const nightly = { threshold: 0, maxMovesPerNight: 3, cooldownHours: 24 };
/** Not the defaults, so the figures show the configuration reached both entry points. */
const executor = { concurrency: { global: 2, perHostOutbound: 1 }, bandwidthMiBps: 300 };
const maintenance = { patchMinutes: 7 };

/** What both entry points must agree on: everything but the generation time and the wall-clock timings. */
function decisions(r: CapacityReport) {
  return {
    settings: r.settings,
    hosts: r.hosts.map((h) => ({ host: h.host, maintenance: h.maintenance, drain: h.drain })),
    cells: r.cells.map((c) => ({
      cell: c.cell,
      nPlusOne: { ...c.nPlusOne, ms: 0 },
      tonight: c.tonight,
      patching: c.patching,
    })),
  };
}

describe('entry points share the plan lifecycle', () => {
  let t: Harness;
  let movedId: string;
  let maintenanceHost: string;
  beforeAll(async () => {
    t = await startHarness({
      inventory,
      config: (c) => ({
        ...c,
        nightly: { ...c.nightly, ...nightly },
        executor: { ...c.executor, ...executor, concurrency: { ...c.executor.concurrency, ...executor.concurrency } },
        maintenance: { ...c.maintenance, ...maintenance },
      }),
    });
    const now = Date.now();
    maintenanceHost = inventory.hosts[0].name;
    await t.store.claimMaintenance([maintenanceHost], { reason: 'firmware', planId: null, at: now });
    const moved = inventory.instances.find((i) => i.host !== maintenanceHost)!;
    movedId = moved.id;
    await recordRecentMove(t.store, moved, now);
  });
  afterAll(() => t.close());

  it('the CLI report and the HTTP report give the same N+1, tonight balance and patching forecast', async () => {
    const http = await t.call('GET', '/reports/capacity?format=json');
    expect(http.status).toBe(200);
    const viaHttp = http.body as CapacityReport;

    const inventoryFile = join(t.dir, 'inventory.json');
    writeFileSync(inventoryFile, JSON.stringify(inventory));
    const configFile = join(t.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: { path: t.config.store.path },
        planner: t.config.planner,
        nightly: t.config.nightly,
        executor,
        maintenance,
      }),
    );
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (s: string) => {
        stdout += s;
      },
      stderr: (s: string) => {
        stderr += s;
      },
      isTty: false,
    };
    expect(await run(['capacity', '--inventory', inventoryFile, '--config', configFile, '--format', 'json'], io)).toBe(
      0,
    );
    expect(stderr).toBe('');
    const viaCli = JSON.parse(stdout) as CapacityReport;

    // the shared state reached both: the maintenance freeze and the cool-down
    expect(viaHttp.settings).toMatchObject({ maintenanceHosts: [maintenanceHost], threshold: 0, maxMoves: 3 });
    expect(viaHttp.settings.frozenInstances).toBeGreaterThan(0);
    const tonight = viaHttp.cells.flatMap((c) => c.tonight.moves);
    expect(tonight.length).toBeGreaterThan(0);
    expect(tonight.map((m) => m.instance)).not.toContain(movedId);
    expect(tonight.map((m) => m.to)).not.toContain(maintenanceHost);

    // the configured executor limits and patch time reached both
    expect(viaHttp.settings.patching).toEqual({
      patchMinutes: 7,
      concurrency: { global: 2, perHostOutbound: 1, perHostInbound: 2 },
      bandwidthMiBps: 300,
      migrationOverheadSeconds: t.config.planner.migrationOverheadSeconds,
    });
    const patching = viaHttp.cells.flatMap((c) => c.patching);
    expect(patching.map((p) => p.maxUnavailable)).toEqual(viaHttp.cells.flatMap(() => [1, 2]));
    expect(patching.every((p) => p.patchable !== null && p.seconds! >= p.steps! * 7 * 60)).toBe(true);

    expect(decisions(viaCli)).toEqual(decisions(viaHttp));
  });
});
