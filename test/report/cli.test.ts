import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/report.js';
import { openStore } from '../../src/store/sqlite.js';
import { scenarioPath } from './fixtures.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      isTty: false,
    },
  };
}

describe('rebalancer report capacity', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'report-cli-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('prints the JSON model for an inventory file', async () => {
    const c = io();
    expect(await run(['capacity', '--inventory', scenarioPath('seed-example'), '--format', 'json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.stdout);
    expect(
      report.hosts.map((h: { host: string; drain: { drainable: boolean } }) => [h.host, h.drain.drainable]),
    ).toEqual([
      ['HostB', true],
      ['HostC', true],
    ]);
    expect(c.out.stderr).toBe('');
  });

  it('forecasts patching each cell with the configured limits; --patch-budget bounds the campaign planning', async () => {
    const dir = tmp();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ store: { path: join(dir, 'none.sqlite') }, maintenance: { patchMinutes: 40 } }),
    );
    const c = io();
    const args = ['capacity', '--inventory', scenarioPath('campaign-cell-6'), '--config', config, '--format', 'json'];
    expect(await run(args, c.io)).toBe(0);
    const report = JSON.parse(c.out.stdout);
    expect(report.settings.patching.patchMinutes).toBe(40);
    const [one, two] = report.cells[0].patching;
    expect([one.patchable, one.steps, two.patchable, two.steps]).toEqual([true, 6, true, 3]);
    expect(one.seconds).toBeGreaterThanOrEqual(6 * 40 * 60);

    const none = io();
    expect(await run([...args, '--patch-budget', '0'], none.io)).toBe(0);
    const undecided = JSON.parse(none.out.stdout).cells[0].patching;
    expect(undecided.map((p: { patchable: null }) => p.patchable)).toEqual([null, null]);
    expect(undecided[0].reason).toMatch(/^not checked: a campaign-planner run \(\d+ work units\)/);

    const bad = io();
    expect(await run([...args, '--patch-budget', 'lots'], bad.io)).toBe(2);
    expect(bad.out.stdout).toBe('');
    expect(bad.out.stderr).toContain('expected --patch-budget to be a whole number of work units >= 0, got "lots"');
  });

  it('writes CSV to --out and treats --maintenance hosts as never targets', async () => {
    const out = join(tmp(), 'report.csv');
    const c = io();
    expect(
      await run(
        [
          'capacity',
          '--inventory',
          scenarioPath('seed-example'),
          '--format',
          'csv',
          '--out',
          out,
          '--maintenance',
          'HostC',
        ],
        c.io,
      ),
    ).toBe(0);
    expect(c.out.stdout).toBe('');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^cell1,HostB,true,false,2,.*,false,quick,"vm1 NO_TARGET_IN_CELL: .* \| vm2 NO_TARGET_IN_CELL: .*"$/,
    );
    expect(lines[2]).toMatch(/^cell1,HostC,false,true,/);
  });

  it('defaults to HTML', async () => {
    const c = io();
    expect(await run(['capacity', '--inventory', scenarioPath('seed-example')], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/^<!DOCTYPE html>/);
  });

  it('reads maintenance flags, cool-down and nightly settings through --config', async () => {
    const dir = tmp();
    const storePath = join(dir, 'state.sqlite');
    const store = openStore(storePath);
    await store.claimMaintenance(['HostC'], { reason: 'disk swap', planId: null, at: Date.now() });
    await store.close();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ store: { path: storePath }, nightly: { threshold: 0.3, maxMovesPerNight: 4 } }),
    );
    const c = io();
    expect(
      await run(
        ['capacity', '--config', config, '--inventory', scenarioPath('seed-example'), '--format', 'json'],
        c.io,
      ),
    ).toBe(0);
    const report = JSON.parse(c.out.stdout);
    expect(report.settings).toMatchObject({
      maintenanceHosts: ['HostC'],
      threshold: 0.3,
      maxMoves: 4,
      // the instance on HostC stays where it is, as the nightly run (and the HTTP report) plan it
      frozenInstances: 1,
    });
  });

  it('reports on the demo region of a configuration without hypervisors', async () => {
    const dir = tmp();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        store: { path: join(dir, 'none.sqlite') },
        demo: { seed: 3, cells: 2, size: 12, timeScale: 60 },
      }),
    );
    const c = io();
    expect(await run(['capacity', '--config', config, '--format', 'json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.stdout);
    expect(report.cells).toHaveLength(2);
    expect(report.hosts).toHaveLength(12);
  });

  it.each([
    [['capacity', '--inventory', '/nonexistent/inv.json'], /\/nonexistent\/inv\.json: no such file/],
    [
      ['capacity', '--inventory', scenarioPath('seed-example'), '--format', 'pdf'],
      /expected --format html, json or csv, got "pdf"/,
    ],
    [['capacity', '--inventory'], /--inventory/],
    [['usage', '--inventory', scenarioPath('seed-example')], /expected the report name "capacity", got "usage"/],
    [['capacity', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const c = io();
    expect(await run(argv, c.io)).toBe(2);
    expect(c.out.stderr).toMatch(message);
    expect(c.out.stdout).toBe('');
  });

  it('exits 2 for an invalid inventory, naming the field', async () => {
    const file = join(tmp(), 'bad.json');
    writeFileSync(file, JSON.stringify({ hosts: [{ name: 'h1' }], instances: [] }));
    const c = io();
    expect(await run(['capacity', '--inventory', file], c.io)).toBe(2);
    expect(c.out.stderr).toContain('hosts[0].cell');
  });

  it('prints help', async () => {
    const c = io();
    expect(await run(['capacity', '--help'], c.io)).toBe(0);
    expect(c.out.stdout).toContain('usage: rebalancer report capacity');
  });
});
