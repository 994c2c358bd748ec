/**
 * `rebalancer maintenance list|show|done|pause|cancel` on a real SQLite store: the campaign service's
 * answers and the HTTP view's JSON, exit 0 / 1 / 2, bad input named with nothing on stdout.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CommandIo } from '../../src/cli/io.js';
import { openStore } from '../../src/store/sqlite.js';
import { parseInventory, planMaintenance } from '../../planner/index.js';

const root = resolve(import.meta.dirname, '../..');
const inv6 = (() => {
  const p = parseInventory(
    JSON.parse(readFileSync(join(root, 'test/fixtures/scenarios/campaign-cell-6.json'), 'utf8')),
  );
  if (!p.ok) throw new Error('fixture');
  return p.inventory;
})();

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTty: false,
  };
  const code = await main(['maintenance', ...args], io);
  return { code, stdout, stderr };
}

/** A store holding one planned campaign over cell1 (maxUnavailable 2); its first host awaits its patch. */
function seeded() {
  const dir = mkdtempSync(join(tmpdir(), 'rb-maint-cli-'));
  const config = join(dir, 'config.yaml');
  const path = join(dir, 'store.sqlite');
  writeFileSync(config, `store:\n  path: ${path}\n`);
  const store = openStore(path);
  const forecast = planMaintenance(inv6, { cells: ['cell1'], maxUnavailable: 2 });
  const id = 'c-1';
  store.createCampaign({
    id,
    request: { cells: ['cell1'], maxUnavailable: 2, source: 'api' },
    forecast,
    status: 'planned',
    at: Date.now(),
  });
  const host = forecast.steps[0].hosts[0];
  store.updateCampaignHost(id, host, { state: 'awaiting_patch' }, Date.now());
  store.close();
  return { config, path, id, host, forecast };
}

describe('rebalancer maintenance', () => {
  it('lists the stored campaigns as JSON and text', async () => {
    const s = seeded();
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
    const s = seeded();
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
    const s = seeded();
    const r = await cli(['done', s.id, s.host, '--config', s.config, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hosts[s.host]).toBe('returning');
    const store = openStore(s.path);
    expect(store.listCampaignHosts(s.id).find((h) => h.host === s.host)?.state).toBe('returning');
    expect(store.listEvents({ planId: s.id }).map((e) => e.type)).toContain('campaign.host_patched');
    store.close();
    const again = await cli(['done', s.id, s.host, '--config', s.config]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is returning, not awaiting_patch/);
    expect(again.stdout).toBe('');
  });

  it('cancels a campaign (stored) and refuses pausing it afterwards with exit 1', async () => {
    const s = seeded();
    const r = await cli(['cancel', s.id, '--config', s.config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^campaign c-1: cancelled \(cancelled by the operator\)/);
    const store = openStore(s.path);
    expect(store.getCampaign(s.id)?.status).toBe('cancelled');
    store.close();
    const p = await cli(['pause', s.id, '--config', s.config]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/is cancelled, not running/);
  });

  it('pauses a running campaign through the store', async () => {
    const s = seeded();
    const store = openStore(s.path);
    store.setCampaignStatus(s.id, 'running', Date.now(), null);
    store.close();
    const r = await cli(['pause', s.id, '--config', s.config, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'paused', reason: 'paused by the operator' });
  });

  it.each([
    [['frobnicate'], /expected one of list, show, done, pause, cancel, got "frobnicate"/],
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
    const s = seeded();
    const a = await cli(['show', 'nope', '--config', s.config]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no maintenance campaign nope/);
    const b = await cli(['done', s.id, 'ghost', '--config', s.config]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/host ghost is not part of campaign c-1/);
  });
});
