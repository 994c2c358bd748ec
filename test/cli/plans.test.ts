/**
 * `rebalancer plans list|show` and `rebalancer hosts list` against a running HTTP app on the same
 * SQLite file: the JSON the commands print is the body GET /plans, GET /plans/:id and GET /hosts
 * answer for the same store, pages included; bad options are named with nothing on stdout.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { startHarness, type Harness } from '../http/support/harness.js';
import { runCli } from '../support/cli.js';

const cli = (args: string[]) => runCli(args);

const inventory = demoRegion({ seed: 4, cells: 2, size: 8 });

let t: Harness;
let config: string;
let inventoryFile: string;
const ids: string[] = [];
let cancelled: string;
let drained: string;
let hosts: string[];

beforeAll(async () => {
  t = await startHarness({ inventory });
  config = join(t.dir, 'config.yaml');
  writeFileSync(config, `store:\n  path: ${t.config.store.path}\n`);
  inventoryFile = join(t.dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  hosts = (await t.call('GET', '/hosts')).body.hosts.map((h: { name: string }) => h.name);
  for (const host of hosts.slice(0, 3))
    ids.push((await t.call('POST', '/plans/drain', { body: { host: [host] } })).body.id);
  ids.push((await t.call('POST', '/plans/balance', { body: { cell: ['cell1'] } })).body.id);
  ids.push((await t.call('POST', '/plans/balance', { body: { cell: ['cell2'] } })).body.id);
  cancelled = ids[3];
  expect((await t.call('POST', `/plans/${cancelled}/cancel`)).status).toBe(200);
  drained = hosts[0];
}, 60_000);
afterAll(() => t.close());

const json = (out: string) => JSON.parse(out);

describe('rebalancer plans list', () => {
  it('prints what GET /plans answers', async () => {
    const r = await cli(['plans', 'list', '--config', config, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const api = (await t.call('GET', '/plans')).body;
    expect(api.plans).toHaveLength(5);
    expect(json(r.stdout)).toEqual(api);
  });

  it('pages with --limit and --after as GET /plans does with ?limit= and ?after=', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const args = ['plans', 'list', '--config', config, '--format', 'json', '--limit', '2'];
      const r = await cli(after ? [...args, '--after', after] : args);
      expect(r.code, r.stderr).toBe(0);
      const api: any = (await t.call('GET', `/plans?limit=2${after ? `&after=${after}` : ''}`)).body;
      expect(json(r.stdout)).toEqual(api);
      seen.push(...api.plans.map((p: { id: string }) => p.id));
      after = api.next;
      if (!after) break;
    }
    expect(after).toBeNull();
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('filters by --status (repeatable) as GET /plans does with ?status=', async () => {
    const r = await cli(['plans', 'list', '--config', config, '--format', 'json', '--status', 'cancelled']);
    expect(json(r.stdout).plans.map((p: { id: string }) => p.id)).toEqual([cancelled]);
    const both = await cli([
      'plans',
      'list',
      ...['--config', config, '--format', 'json', '--status', 'cancelled', '--status', 'planned'],
    ]);
    expect(json(both.stdout)).toEqual((await t.call('GET', '/plans?status=cancelled&status=planned')).body);
    expect(json(both.stdout).plans).toHaveLength(5);
  });

  it('as text: one line per plan with its id, status and goal, and the next cursor', async () => {
    const r = await cli(['plans', 'list', '--config', config, '--limit', '4']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+GOAL/);
    expect(lines).toHaveLength(6);
    expect(r.stdout).toMatch(new RegExp(`${cancelled}\\s+cancelled\\s+balance cell1`));
    expect(r.stdout).toMatch(new RegExp(`${ids[2]}\\s+planned\\s+drain ${hosts[2]}\\s`));
    const next = (await t.call('GET', '/plans?limit=4')).body.next;
    expect(lines[5]).toBe(`more: --after ${next}`);
  });

  it.each([
    [['--limit', '0'], '--limit: expected an integer between 1 and 1000, got "0"'],
    [['--limit', 'ten'], '--limit: expected an integer between 1 and 1000, got "ten"'],
    [['--status', 'done'], '--status: expected one of "planned", "running", "cancelling"'],
    [['--after', 'no-such-plan'], '--after: unknown cursor "no-such-plan"'],
    [['--format', 'yaml'], '--format: expected one of text, json, got "yaml"'],
    [['extra'], 'list takes no arguments, got "extra"'],
  ])('%j is refused: exit 2, the option named, nothing on stdout', async (extra, message) => {
    const r = await cli(['plans', 'list', '--config', config, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });

  it('a configuration whose store does not exist is refused and no store is created', async () => {
    const other = join(t.dir, 'none.yaml');
    const path = join(t.dir, 'never.sqlite');
    writeFileSync(other, `store:\n  path: ${path}\n`);
    const r = await cli(['plans', 'list', '--config', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no store at ${path}`);
    expect((await import('node:fs')).existsSync(path)).toBe(false);
  });
});

describe('rebalancer plans show', () => {
  it('prints what GET /plans/:id answers', async () => {
    for (const id of [ids[0], cancelled]) {
      const r = await cli(['plans', 'show', id, '--config', config, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r.stdout)).toEqual((await t.call('GET', `/plans/${id}`)).body);
    }
  });

  it("as text: the status, the target and each move's state", async () => {
    const api = (await t.call('GET', `/plans/${ids[0]}`)).body;
    const r = await cli(['plans', 'show', ids[0], '--config', config]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`plan ${ids[0]}: planned (drain ${drained}, feasible)`);
    expect(api.moves.length).toBeGreaterThan(0);
    for (const m of api.moves)
      expect(r.stdout).toMatch(new RegExp(`${m.name}\\s+${m.from}\\s+${m.to}\\s+${m.mode}\\s+pending`));
    expect(r.stdout).toContain(`moves 0/${api.moves.length} done`);
  });

  it('an unknown id, a missing id or a list option is refused with exit 2', async () => {
    const unknown = await cli(['plans', 'show', 'nope', '--config', config]);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('no plan with id "nope"');
    const missing = await cli(['plans', 'show', '--config', config]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('show takes one plan id');
    const paging = await cli(['plans', 'show', ids[0], '--limit', '3', '--config', config]);
    expect(paging.code).toBe(2);
    expect(paging.stderr).toContain('options of "plans list"');
  });
});

describe('rebalancer hosts list', () => {
  it('prints what GET /hosts answers, maintenance from the store included', async () => {
    const r = await cli(['hosts', 'list', '--inventory', inventoryFile, '--config', config, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const api = (await t.call('GET', '/hosts')).body;
    expect(json(r.stdout)).toEqual(api);
    const held = api.hosts.find((h: { name: string }) => h.name === drained);
    expect(held.maintenance.planId).toBe(ids[0]);
  });

  it('--cell as GET /hosts?cell=', async () => {
    const r = await cli(['hosts', 'list', '--cell', 'cell2', '--inventory', inventoryFile, '--config', config]);
    expect(r.code).toBe(0);
    const json2 = await cli([
      'hosts',
      'list',
      ...['--cell', 'cell2', '--inventory', inventoryFile, '--config', config, '--format', 'json'],
    ]);
    const api = (await t.call('GET', '/hosts?cell=cell2')).body;
    expect(json(json2.stdout)).toEqual(api);
    const all = (await t.call('GET', '/hosts')).body.hosts;
    expect(api.hosts.length).toBeGreaterThan(0);
    expect(api.hosts).toEqual(all.filter((h: { cell: string }) => h.cell === 'cell2'));
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+CELL\s+STATE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(api.hosts.map((h: { name: string }) => h.name));
    expect(lines.slice(1).every((l) => /\scell2\s/.test(l))).toBe(true);
  });

  it('collects the inventory from the configuration (the demo region) without --inventory', async () => {
    const demo = join(t.dir, 'demo.yaml');
    writeFileSync(demo, `store:\n  path: ${join(t.dir, 'demo.sqlite')}\ndemo:\n  seed: 7\n  cells: 1\n  size: 5\n`);
    const r = await cli(['hosts', 'list', '--config', demo, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const hosts = json(r.stdout).hosts;
    expect(hosts).toHaveLength(5);
    expect(hosts.every((h: { maintenance: unknown }) => h.maintenance === null)).toBe(true);
  }, 30_000);

  it.each([
    [['--cell', ''], '--cell: expected a non-empty string, got ""'],
    [['--format', 'csv'], '--format: expected one of text, json, got "csv"'],
    [['--inventory', '/nonexistent/inv.json'], '/nonexistent/inv.json'],
  ])('%j is refused: exit 2, nothing on stdout', async (extra, message) => {
    const r = await cli(['hosts', 'list', '--config', config, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });
});

describe('help', () => {
  it.each([
    ['plans', 'usage: rebalancer plans list'],
    ['hosts', 'usage: rebalancer hosts list'],
  ])('help %s prints the usage', async (command, usage) => {
    const r = await cli(['help', command]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(usage);
    expect((await cli([command, '--help'])).stdout).toBe(r.stdout);
    expect((await cli(['--help'])).stdout).toMatch(new RegExp(`\\n  ${command}\\s`));
  });
});
