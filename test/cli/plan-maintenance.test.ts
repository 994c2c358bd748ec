/**
 * `rebalancer plan maintenance`: the campaign JSON of the spec, the text view, exit status 0 / 3 /
 * 2 as for `plan`, and bad input named by flag with nothing on stdout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CommandIo } from '../../src/cli/io.js';
import { verifyCampaign, parseInventory, type CampaignPlan } from '../../planner/index.js';
import { readFileSync } from 'node:fs';
import { runCli } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const cell6 = join(root, 'test/fixtures/scenarios/campaign-cell-6.json');
const inv6 = (() => {
  const p = parseInventory(JSON.parse(readFileSync(cell6, 'utf8')));
  if (!p.ok) throw new Error('fixture');
  return p.inventory;
})();

const cli = (args: string[], isTty = false) => runCli(['plan', 'maintenance', ...args], isTty);

describe('rebalancer plan maintenance', () => {
  it('prints the campaign JSON for a cell, exit 0', async () => {
    const r = await cli(['--inventory', cell6, '--cell', 'cell1', '--max-unavailable', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as CampaignPlan;
    expect(Object.keys(p)).toEqual(['goal', 'target', 'feasible', 'steps', 'unplaced', 'metrics']);
    expect(p.goal).toBe('maintenance');
    expect(p.target.maxUnavailable).toBe(2);
    expect(p.steps).toHaveLength(3);
    for (const s of p.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['hosts', 'moves', 'unplaced']));
    expect(Object.keys(p.metrics)).toEqual(
      expect.arrayContaining(['moves', 'gibToCopy', 'instancesMovedTwiceOrMore', 'lowerBoundGib']),
    );
    expect(verifyCampaign(inv6, p).violations).toEqual([]);
  });

  it('prints steps and totals on a terminal', async () => {
    const r = await cli(['--inventory', cell6, '--host', 'm1', '--host', 'm2'], true);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Maintenance campaign: m1, m2 \(2 hosts, maxUnavailable 1\) \(feasible\)/);
    expect(r.stdout).toMatch(/Step 1: m\d {2}\(\d+ moves, [\d.]+ GiB, est\. /);
    expect(r.stdout).toMatch(/Totals: 2 steps, \d+ moves, [\d.]+ GiB to copy \(lower bound [\d.]+ GiB\), 0 instance/);
  });

  it('exits 3 and still prints the campaign when a step cannot be completed', async () => {
    const r = await cli(['--inventory', cell6, '--cell', 'cell1', '--max-unavailable', '3', '--format', 'json']);
    expect(r.code).toBe(3);
    const p = JSON.parse(r.stdout) as CampaignPlan;
    expect(p.feasible).toBe(false);
    expect(p.unplaced.length).toBeGreaterThan(0);
    const t = await cli(['--inventory', cell6, '--cell', 'cell1', '--max-unavailable', '3', '--format', 'text']);
    expect(t.stdout).toMatch(/NOT feasible: \d+ instance\(s\) stay on their host, steps 1, 2/);
    expect(t.stdout).toMatch(/stays: \S+ on m\d {2}NO_CAPACITY/);
  });

  it.each([
    [['--cell', 'cell1', '--host', 'm1'], /--host: expected hosts or cells to patch, not both/],
    [['--cell', 'cell1', '--max-unavailable', '0'], /--max-unavailable: expected a positive integer, got 0/],
    [['--cell', 'cell1', '--max-unavailable', 'two'], /--max-unavailable: expected a positive integer, got "two"/],
    [['--cell', 'cel1'], /--cell: unknown cell "cel1".*did you mean "cell1"/],
    [['--host', 'm9'], /--host: unknown host "m9"/],
    [[], /--host: expected at least one host or cell to patch, got none/],
    [['--cell', 'cell1', '--threshold', '0.2'], /--threshold: applies to "plan balance" only/],
  ])('bad input %j: exit 2, the flag named, nothing planned', async (args, message) => {
    const r = await cli(['--inventory', cell6, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects --max-unavailable on a drain', async () => {
    let stderr = '';
    const io: CommandIo = {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      isTty: false,
    };
    const code = await main(['plan', 'drain', '--inventory', cell6, '--host', 'm1', '--max-unavailable', '2'], io);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--max-unavailable: applies to "plan maintenance" only/);
  });

  it('names the file and field of a broken inventory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-maint-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ hosts: [{ name: 'a' }], instances: [] }));
    const r = await cli(['--inventory', bad, '--cell', 'c']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json.*hosts\[0\]/);
  });
});
