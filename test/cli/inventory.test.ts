/**
 * `rebalancer inventory`: the collected inventory in the plan format. Collection from real
 * libvirt hosts (with the hypervisors' CPU answers) is covered by test/e2e/lab-cpu.test.ts; here
 * the configuration without hypervisors collects the simulated demo region.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory, plan } from '../../planner/index.js';
import { run } from '../../src/cli/commands/inventory.js';

function io(isTty = false) {
  const out = { stdout: '', stderr: '' };
  const sink = {
    stdout: (t: string) => {
      out.stdout += t;
    },
    stderr: (t: string) => {
      out.stderr += t;
    },
    isTty,
  };
  return { out, io: sink };
}

function config(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'inventory-cli-')), 'config.json');
  writeFileSync(path, text);
  return path;
}

describe('rebalancer inventory', () => {
  const demo = () => config(JSON.stringify({ store: { path: ':memory:' }, inventory: { sampleMs: 0 } }));

  it('prints the demo region as an inventory the planner accepts', async () => {
    const c = io();
    expect(await run(['--config', demo()], c.io)).toBe(0);
    const parsed = parseInventory(JSON.parse(c.out.stdout));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.inventory.hosts.length).toBe(72);
    expect(parsed.inventory.instances.length).toBeGreaterThan(100);
    const host = parsed.inventory.instances[0].host;
    expect(plan(parsed.inventory, { goal: 'drain', hosts: [host] }).moves.length).toBeGreaterThan(0);
  });

  it('prints a text summary on a terminal', async () => {
    const c = io(true);
    expect(await run(['--config', demo()], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/^Hosts \(72\)\n {2}\S+ {2}cell \S+ {2}up/);
    expect(c.out.stdout).toMatch(/\nInstances \(\d+\)\n/);
  });

  it.each([
    [['--format', 'xml'], /expected --format json or text, got "xml"/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--config', '/nonexistent/rebalancer.yaml'], /invalid configuration\n.*nonexistent.*cannot read/],
  ])('bad input %j: exit 2, a clear message, nothing printed', async (argv, message) => {
    const c = io();
    expect(await run(argv, c.io)).toBe(2);
    expect(c.out.stdout).toBe('');
    expect(c.out.stderr).toMatch(message);
    expect(c.out.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the bad field of a configuration', async () => {
    const c = io();
    expect(await run(['--config', config('{"hypervisors": [{"name": "h1"}]}')], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/hypervisors\[0\]\.(uri|cell)/);
  });
});
