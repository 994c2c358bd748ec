/**
 * `rebalancer maintenance start|resume|list|show|done|pause|cancel|end` on a real SQLite store:
 * the campaign service's answers and the HTTP view's JSON, exit 0 / 1 / 2 / 3, bad input named
 * with nothing on stdout; start and resume drive a campaign over the simulated demo region with a
 * real patch command; end ends a host's manual maintenance through the lifecycle.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/sqlite.js';
import { parseInventory, planMaintenance } from '../../planner/index.js';
import { runCli } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const inv6 = (() => {
  const p = parseInventory(
    JSON.parse(readFileSync(join(root, 'test/fixtures/scenarios/campaign-cell-6.json'), 'utf8')),
  );
  if (!p.ok) throw new Error('fixture');
  return p.inventory;
})();

const cli = (args: string[], tty = false) => runCli(['maintenance', ...args], tty);

/** A store holding one planned campaign over cell1 (maxUnavailable 2); its first host awaits its patch. */
async function seeded() {
  const dir = mkdtempSync(join(tmpdir(), 'rb-maint-cli-'));
  const config = join(dir, 'config.yaml');
  const path = join(dir, 'store.sqlite');
  writeFileSync(config, `store:\n  path: ${path}\n`);
  const store = openStore(path);
  const forecast = planMaintenance(inv6, { cells: ['cell1'], maxUnavailable: 2 });
  const id = 'c-1';
  await store.createCampaign({
    id,
    request: { cells: ['cell1'], maxUnavailable: 2, source: 'api' },
    forecast,
    status: 'planned',
    at: Date.now(),
  });
  const host = forecast.steps[0].hosts[0];
  await store.updateCampaignHost(id, host, { state: 'awaiting_patch' }, Date.now());
  await store.close();
  return { config, path, id, host, forecast };
}

describe('rebalancer maintenance', () => {
  it('lists the stored campaigns as JSON and text', async () => {
    const s = await seeded();
    const j = await cli(['list', '--config', s.config, '--format', 'json']);
    expect(j.code).toBe(0);
    const body = JSON.parse(j.stdout);
    expect(body.campaigns).toHaveLength(1);
    expect(body.campaigns[0]).toMatchObject({ id: s.id, status: 'planned', maxUnavailable: 2 });
    expect(body.campaigns[0].steps).toBe(s.forecast.steps.length);
    const t = await cli(['list', '--config', s.config]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`^${s.id}\\s+planned\\s+${s.forecast.steps.length} steps`));
  });

  it('shows one campaign: the HTTP view as JSON, steps and host states as text', async () => {
    const s = await seeded();
    const j = await cli(['show', s.id, '--config', s.config, '--format', 'json']);
    expect(j.code).toBe(0);
    const v = JSON.parse(j.stdout);
    expect(v.id).toBe(s.id);
    expect(v.steps).toHaveLength(s.forecast.steps.length);
    expect(v.hosts[s.host]).toBe('awaiting_patch');
    expect(v.eta.seconds).toBeGreaterThan(0);
    const t = await cli(['show', s.id, '--config', s.config]);
    expect(t.stdout).toMatch(/^campaign c-1: planned/);
    expect(t.stdout).toContain(`${s.host} awaiting_patch`);
    expect(t.stdout.split('\n').every((l) => l.length <= 120)).toBe(true);
  });

  it('marks a host patched (stored), and refuses it twice with exit 1', async () => {
    const s = await seeded();
    const r = await cli(['done', s.id, s.host, '--config', s.config, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hosts[s.host]).toBe('returning');
    const store = openStore(s.path);
    expect((await store.listCampaignHosts(s.id)).find((h) => h.host === s.host)?.state).toBe('returning');
    expect((await store.listEvents({ planId: s.id })).map((e) => e.type)).toContain('campaign.host_patched');
    await store.close();
    const again = await cli(['done', s.id, s.host, '--config', s.config]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is returning, not awaiting_patch/);
    expect(again.stdout).toBe('');
  });

  it('cancels a campaign (stored) and refuses pausing it afterwards with exit 1', async () => {
    const s = await seeded();
    const r = await cli(['cancel', s.id, '--config', s.config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^campaign c-1: cancelled \(cancelled by the operator\)/);
    const store = openStore(s.path);
    expect((await store.getCampaign(s.id))?.status).toBe('cancelled');
    await store.close();
    const p = await cli(['pause', s.id, '--config', s.config]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/is cancelled, not running/);
  });

  it('pauses a running campaign through the store', async () => {
    const s = await seeded();
    const store = openStore(s.path);
    await store.setCampaignStatus(s.id, 'running', Date.now(), null);
    await store.close();
    const r = await cli(['pause', s.id, '--config', s.config, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'paused', reason: 'paused by the operator' });
  });

  it.each([
    [['frobnicate'], /expected one of start, resume, list, show, done, pause, cancel, end, got "frobnicate"/],
    [['resume'], /maintenance resume: expected 1 arguments, got 0/],
    [['end'], /maintenance end: expected 1 arguments, got 0/],
    [['list', '--execute'], /maintenance list: --execute is an option of "start" only/],
    [['start', '--cell', 'cell1', '--max-unavailable', '0'], /start: --max-unavailable: expected .*1/],
    [['start', '--cell', 'cell1', '--max-unavailable', 'two'], /start: --max-unavailable: expected/],
    [['show'], /maintenance show: expected 1 arguments, got 0/],
    [['done', 'c-1'], /maintenance done: expected 2 arguments, got 1/],
    [['list', '--format', 'xml'], /--format: expected text or json, got "xml"/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit 2 and nothing on stdout', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('names an unknown campaign or host with exit 2', async () => {
    const s = await seeded();
    const a = await cli(['show', 'nope', '--config', s.config]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no maintenance campaign nope/);
    const b = await cli(['done', s.id, 'ghost', '--config', s.config]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/host ghost is not part of campaign c-1/);
  });
});

/** The demo region (one cell of six simulated hosts, time 5000x faster) with a real patch command. */
function demo(hostCommand: string[] | null, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'rb-maint-run-'));
  const config = join(dir, 'config.yaml');
  const path = join(dir, 'store.sqlite');
  const command = hostCommand ? `  hostCommand: ${JSON.stringify(hostCommand)}\n` : '';
  writeFileSync(
    config,
    `store:\n  path: ${path}\ndemo:\n  seed: 7\n  cells: 1\n  size: 6\n  timeScale: 5000\n` +
      `maintenance:\n${command}  pollSeconds: 0.05\n  returnTimeoutMinutes: 1\n${extra}`,
  );
  return { dir, config, path };
}

describe('rebalancer maintenance start, resume and end', () => {
  it('start without --execute stores a planned campaign (exit 0; exit 3 when not feasible, never run); bad hosts are exit 2', async () => {
    const d = demo(['true']);
    const args = ['start', '--cell', 'cell1', '--config', d.config, '--format', 'json'];
    const r = await cli([...args, '--max-unavailable', '1']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ status: 'planned', feasible: true, request: { cells: ['cell1'], maxUnavailable: 1 } });
    expect(v.steps).toHaveLength(6);
    // two hosts out at once: a server group keeps a step from being emptied
    const infeasible = await cli([...args, '--max-unavailable', '2', '--execute']);
    expect(infeasible.code).toBe(3);
    const w = JSON.parse(infeasible.stdout);
    expect(w).toMatchObject({ status: 'planned', feasible: false });
    expect(infeasible.stderr).toContain(`campaign ${w.id} is not feasible; stored as planned, nothing was executed`);
    const store = openStore(d.path);
    expect((await store.getCampaign(v.id))?.request.source).toBe('cli');
    expect((await store.listCampaigns()).map((c) => c.status)).toEqual(['planned', 'planned']);
    expect(await store.listPlans()).toEqual([]);
    await store.close();
    const bad = await cli(['start', '--host', 'nowhere', '--config', d.config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/start: host.*nowhere/);
    expect(bad.stdout).toBe('');
  }, 60_000);

  it('start --execute runs the campaign here: every host patched, exit 0; progress only on a terminal', async () => {
    const d = demo(['sh', '-c', 'echo "patched $REBALANCER_HOST"']);
    const hosts = ['--host', 'cell1-host01', '--host', 'cell1-host02'];
    const r = await cli(['start', ...hosts, '--execute', '--config', d.config], true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^campaign \S+: succeeded/);
    expect(r.stderr).toMatch(/step 1 \(cell1-host0\d\): draining, \d+ moves/);
    expect(r.stderr).toMatch(/cell1-host0\d: patch command succeeded/);
    expect(r.stderr).toMatch(/cell1-host0\d: back in service/);
    expect(r.stderr).toMatch(/campaign succeeded \(2 hosts\)/);
    const store = openStore(d.path);
    const [c] = await store.listCampaigns();
    expect(c.status).toBe('succeeded');
    expect((await store.listCampaignHosts(c.id)).every((h) => h.state === 'done')).toBe(true);
    expect(await store.listMaintenance()).toEqual([]);
    await store.close();

    // not a terminal: the view on stdout, no progress lines
    const quiet = demo(['true']);
    const q = await cli(['start', '--host', 'cell1-host03', '--execute', '--config', quiet.config, '--format', 'json']);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout).status).toBe('succeeded');
    expect(q.stderr).not.toMatch(/draining|back in service/);
  }, 120_000);

  it('a failing patch command pauses (exit 1); resume runs it again and the campaign succeeds', async () => {
    const d = demo(null);
    const marker = join(d.dir, 'failed-once');
    const script = `if [ ! -e '${marker}' ]; then touch '${marker}'; echo "firmware update failed" >&2; exit 4; fi`;
    writeFileSync(
      d.config,
      `store:\n  path: ${d.path}\ndemo:\n  seed: 7\n  cells: 1\n  size: 6\n  timeScale: 5000\n` +
        `maintenance:\n  hostCommand: ${JSON.stringify(['sh', '-c', script])}\n  pollSeconds: 0.05\n`,
    );
    const r = await cli([
      'start',
      '--host',
      'cell1-host01',
      '--host',
      'cell1-host02',
      '--execute',
      '--config',
      d.config,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^campaign (\S+): paused \(patch command for cell1-host0\d: sh exited with status 4: firmware update failed\)/,
    );
    const id = /^campaign (\S+):/.exec(r.stdout)![1];
    expect(r.stdout).toMatch(/cell1-host0\d failed \(patch command/);
    const again = await cli(['resume', id, '--config', d.config, '--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'succeeded',
      hosts: { 'cell1-host01': 'done', 'cell1-host02': 'done' },
    });
    const twice = await cli(['resume', id, '--config', d.config]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is succeeded/);
    const missing = await cli(['resume', 'nope', '--config', d.config]);
    expect(missing.code).toBe(2);
  }, 120_000);

  it('end <host> ends its manual maintenance through the lifecycle, with the HTTP host view', async () => {
    const d = demo(['true']);
    const store = openStore(d.path);
    await store.claimMaintenance(['cell1-host03'], { reason: 'firmware', planId: null, at: Date.now() });
    await store.close();
    const r = await cli(['end', 'cell1-host03', '--config', d.config, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'cell1-host03', maintenance: null });
    const after = openStore(d.path);
    expect(await after.listMaintenance()).toEqual([]);
    await after.close();
    const t = await cli(['end', 'cell1-host03', '--config', d.config]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^cell1-host03 was not in maintenance\n/);
    const u = await cli(['end', 'ghost', '--config', d.config]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown host "ghost"/);
  }, 60_000);
});
