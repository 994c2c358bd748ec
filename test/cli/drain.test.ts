/** `rebalancer drain` on the simulated demo region (no hypervisors configured). */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/drain.js';
import { openStore } from '../../src/store/sqlite.js';
import { planOf } from '../support/plans.js';
import { captureIo } from '../support/cli.js';

/** A small, fast demo region: one cell of six hosts, time 5000x faster. */
function demoConfig(extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-drain-cli-'));
  const file = join(dir, 'config.yaml');
  const store = join(dir, 'store.sqlite');
  writeFileSync(
    file,
    `store:\n  path: ${store}\ndemo:\n  seed: 7\n  cells: 1\n  size: 6\n  timeScale: 5000\n${Object.entries(extra)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
  return { file, store };
}

describe('rebalancer drain', () => {
  it.each([
    [['--config', 'x.yaml'], /--host: expected at least one host/],
    [['--host', 'a', '--format', 'xml'], /--format: expected json or text, got "xml"/],
    [['--host', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['--host', 'a', '--sample-ms=-5'], /--sample-ms: expected a number >= 0, got "-5"/],
    [['--host', 'a', '--sample-ms', 'soon'], /--sample-ms: expected a number >= 0, got "soon"/],
  ])('rejects bad options %j with exit 2', async (argv, message) => {
    const { io, out } = captureIo();
    expect(await run(argv, io)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
  });

  it('rejects an invalid configuration with every problem and exit 2', async () => {
    const { file } = demoConfig({ hypervisors: [{ name: 'h1' }] });
    const { io, out } = captureIo();
    expect(await run(['--config', file, '--host', 'h1'], io)).toBe(2);
    expect(out.stderr).toMatch(/hypervisors\[0\]\.uri/);
    expect(out.stderr).toMatch(/hypervisors\[0\]\.cell/);
  });

  it('rejects invalid executor options before touching any host', async () => {
    const { file } = demoConfig({ executor: { concurrency: { global: 0 } } });
    const { io, out } = captureIo();
    expect(await run(['--config', file, '--host', 'cell1-host01'], io)).toBe(2);
    expect(out.stderr).toMatch(/executor\.concurrency\.global: .*>0.*got 0/);
  });

  it('rejects an unknown host with exit 2', async () => {
    const { file } = demoConfig();
    const { io, out } = captureIo();
    expect(await run(['--config', file, '--host', 'cell1-host1', '--sample-ms', '0'], io)).toBe(2);
    expect(out.stderr).toMatch(/cell1-host1/);
  });

  it('prints the plan without executing or creating a store', async () => {
    const { file, store } = demoConfig();
    const { io, out } = captureIo();
    expect(await run(['--config', file, '--host', 'cell1-host01', '--sample-ms', '0'], io)).toBe(0);
    const plan = JSON.parse(out.stdout);
    expect(plan).toMatchObject({ goal: 'drain', target: { hosts: ['cell1-host01'] }, feasible: true });
    expect(plan.moves.length).toBeGreaterThan(0);
    expect(plan.moves.every((m: { from: string }) => m.from === 'cell1-host01')).toBe(true);
    expect(existsSync(store)).toBe(false);
  });

  it('exits 3 for an infeasible drain and executes nothing', async () => {
    const { file, store } = demoConfig();
    const hosts = Array.from({ length: 6 }, (_, k) => ['--host', `cell1-host0${k + 1}`]).flat();
    const { io, out } = captureIo();
    expect(await run(['--config', file, ...hosts, '--execute', '--sample-ms', '0'], io)).toBe(3);
    expect(JSON.parse(out.stdout)).toMatchObject({ feasible: false });
    expect(out.stderr).toMatch(/not feasible; nothing was executed/);
    expect(await openStore(store).listPlans()).toEqual([]);
  });

  it('executes: every move succeeds, the outcome is printed and stored, the host stays in maintenance', async () => {
    const { file, store } = demoConfig();
    const { io, out } = captureIo(true);
    expect(
      await run(['--config', file, '--host', 'cell1-host02', '--execute', '--format', 'json', '--sample-ms', '0'], io),
    ).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.status).toBe('succeeded');
    expect(report.final.moves.length).toBeGreaterThan(0);
    expect(report.final.moves.every((m: { outcome: string }) => m.outcome === 'succeeded')).toBe(true);
    // the goal checked on a fresh inventory after execution
    expect(report.outcome).toMatchObject({
      goal: 'drain',
      met: true,
      hosts: [{ host: 'cell1-host02', empty: true, remaining: [], arrived: [] }],
    });
    expect(out.stderr).toMatch(/move 0 .* cell1-host02 -> .*: succeeded/);
    expect(out.stderr).toContain('\r\x1b[2K'); // the refreshing progress line on a terminal
    const db = openStore(store);
    expect((await db.getPlan(report.planId))?.status).toBe('succeeded');
    expect((await db.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([['cell1-host02', report.planId]]);
    await db.close();
  }, 60_000);

  it('exits 2 for a host being drained by an active plan; takes over manual maintenance; never targets either host', async () => {
    const { file, store } = demoConfig();
    const db = openStore(store);
    const held = planOf([], true, { target: { hosts: ['cell1-host03'] } });
    const active = await db.createPlanClaiming({ id: 'p-active', plan: held, source: 'api', at: 1 }, ['cell1-host03']);
    expect(active.ok).toBe(true);
    expect((await db.claimMaintenance(['cell1-host04'], { reason: 'firmware', planId: null, at: 1 })).ok).toBe(true);
    await db.close();

    const refused = captureIo();
    expect(
      await run(
        ['--config', file, '--host', 'cell1-host03', '--execute', '--format', 'json', '--sample-ms', '0'],
        refused.io,
      ),
    ).toBe(2);
    expect(refused.out.stderr).toMatch(/host "cell1-host03" is being drained by plan p-active/);

    const { io, out } = captureIo();
    expect(
      await run(['--config', file, '--host', 'cell1-host04', '--execute', '--format', 'json', '--sample-ms', '0'], io),
    ).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.final.moves.length).toBeGreaterThan(0);
    expect(report.final.moves.map((m: { to: string }) => m.to)).not.toContain('cell1-host03');
    const after = openStore(store);
    expect((await after.listMaintenance()).map((m) => [m.host, m.planId])).toEqual([
      ['cell1-host03', 'p-active'],
      ['cell1-host04', report.planId],
    ]);
    await after.close();
  }, 60_000);

  it('prints the plan and then the outcome of every move as text', async () => {
    const { file } = demoConfig();
    const { io, out } = captureIo();
    expect(
      await run(['--config', file, '--host', 'cell1-host03', '--execute', '--format', 'text', '--sample-ms', '0'], io),
    ).toBe(0);
    const id = /^plan ([0-9a-f-]{36})$/m.exec(out.stdout)?.[1];
    expect(id).toBeDefined();
    expect(out.stdout).toMatch(/Plan: drain of cell1-host03 \(feasible\)/);
    expect(out.stdout).toContain(`plan ${id}: succeeded`);
    expect(out.stdout).toMatch(/cell1-host03 -> cell1-host0\d {2}succeeded/);
    expect(out.stdout).toMatch(/\ngoal met: cell1-host03 empty\n$/);
    expect(out.stdout).not.toMatch(/failed|timed_out/);
  }, 60_000);

  it('exits 1 when execution fails: every migration hits its (tiny) completion timeout', async () => {
    const { file } = demoConfig({
      planner: { timeoutPerGiBSeconds: 0.001, method: 'auto' },
      executor: { maxReplans: 1 },
    });
    const { io, out } = captureIo();
    expect(
      await run(['--config', file, '--host', 'cell1-host04', '--execute', '--format', 'json', '--sample-ms', '0'], io),
    ).toBe(1);
    const report = JSON.parse(out.stdout);
    expect(report.status).toBe('failed');
    expect(report.history).toHaveLength(2); // the plan and its one re-plan
    expect(report.history[0].status).toBe('superseded');
    expect(report.history[0].moves.some((m: { outcome: string }) => m.outcome === 'timed_out')).toBe(true);
  }, 60_000);
});
