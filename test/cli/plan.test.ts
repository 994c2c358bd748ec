import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../planner/model/plan.js';
import { buildOnce } from '../support/build.js';
import { captureIo, runCli } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const scenario = (name: string) => join(root, 'test/fixtures/scenarios', `${name}.json`);
const dir = mkdtempSync(join(tmpdir(), 'cli-plan-'));

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

const cli = (args: string[], isTty = false) => runCli(['plan', ...args], isTty);

const seed = JSON.parse(readFileSync(scenario('seed-example'), 'utf8'));

describe('rebalancer plan: plans', () => {
  it('drains HostB of the seed example: both VMs to HostC, exit 0, JSON when not a terminal', async () => {
    const r = await cli(['drain', '--inventory', scenario('seed-example'), '--host', 'HostB']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.feasible).toBe(true);
    expect(plan.moves.map((m) => [m.name, m.from, m.to]).sort()).toEqual([
      ['vm1', 'HostB', 'HostC'],
      ['vm2', 'HostB', 'HostC'],
    ]);
    expect(r.stdout).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });

  it('drains A of makeroom-fragmented: moves one 6 GiB VM first, then the 12 GiB VM; exit 0, extraMoves in JSON', async () => {
    const r = await cli(['drain', '--inventory', scenario('makeroom-fragmented'), '--host', 'A', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.feasible).toBe(true);
    expect(plan.metrics).toMatchObject({ extraMoves: 1, extraGib: 6, waves: 2 });
    const [first, second] = plan.moves;
    expect(first).toMatchObject({ wave: 0, to: expect.not.stringMatching(/^A$/) });
    expect(second).toMatchObject({ name: 'x', from: 'A', to: first.from, wave: 1 });
  });

  it('exits 3 and still prints the plan when a drain cannot be completed (cell boundary)', async () => {
    const r = await cli(['drain', '--inventory', scenario('cell-boundary'), '--host', 'c1-h0', '--format', 'json']);
    expect(r.code).toBe(3);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.feasible).toBe(false);
    expect(plan.unplaced.length).toBeGreaterThan(0);
    expect(plan.moves.every((m) => m.to.startsWith('c1-'))).toBe(true);
  });

  it('prints the human view by default on a terminal', async () => {
    const r = await cli(['drain', '--inventory', scenario('seed-example'), '--host', 'HostB'], true);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Plan: drain of HostB \(feasible\)/);
    expect(r.stdout).toMatch(/vm1\s+HostB -> HostC\s+live\s+0\.5 GiB/);
    expect(r.stdout).toContain('Totals: 2 move(s) in 1 wave(s), 1.0 GiB to copy');
  });

  it('balances a cell', async () => {
    const r = await cli([
      'balance',
      '--inventory',
      scenario('swap-needs-bounce'),
      '--cell',
      'cell1',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.goal).toBe('balance');
    expect(plan.metrics.moves).toBe(plan.moves.length);
  });

  it('applies --timeout-per-gib to every move', async () => {
    const r = await cli([
      'drain',
      '--inventory',
      scenario('seed-example'),
      '--host',
      'HostB',
      '--timeout-per-gib',
      '100',
    ]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Plan).moves.map((m) => m.timeoutSeconds)).toEqual([200, 200]);
  });

  it('prints usage for --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rebalancer plan drain');
  });
});

const badHost = { ...seed.hosts[1], name: 'HostD', vcpus: -4 };
describe('rebalancer plan: bad input exits 2, explains on stderr, prints nothing', () => {
  it.each([
    [
      'a missing file',
      ['drain', '--inventory', join(dir, 'absent.json'), '--host', 'HostB'],
      /absent\.json: no such file/,
    ],
    [
      'broken JSON',
      ['drain', '--inventory', file('broken.json', '{\n  "hosts": [\n    {"name": "a",}\n  ]\n}'), '--host', 'a'],
      /broken\.json: invalid JSON at line 3, column 18: expected a property name/,
    ],
    [
      'an unknown host name',
      ['drain', '--inventory', scenario('seed-example'), '--host', 'HostX'],
      /--host: unknown host "HostX".*did you mean "HostB", "HostC"/,
    ],
    [
      'a host in another cell than --cell',
      ['drain', '--inventory', scenario('cell-boundary'), '--host', 'c2-h0', '--cell', 'cell1'],
      /--host: host "c2-h0" is in cell "cell2", not in the requested cell "cell1"/,
    ],
    [
      'duplicate instance ids',
      [
        'drain',
        '--inventory',
        file('dup.json', { ...seed, instances: [seed.instances[0], seed.instances[0]] }),
        '--host',
        'HostB',
      ],
      /dup\.json: instances\[1\]\.id: duplicate instance id "d1df1b5a/,
    ],
    [
      'a negative size',
      ['drain', '--inventory', file('neg.json', { ...seed, hosts: [...seed.hosts, badHost] }), '--host', 'HostB'],
      /neg\.json: hosts\[2\]\.vcpus: .*>=0 \(got -4\)/,
    ],
    [
      'an unknown option',
      ['drain', '--inventory', scenario('seed-example'), '--host', 'HostB', '--force'],
      /Unknown option '--force'/,
    ],
    [
      'no goal',
      ['--inventory', scenario('seed-example')],
      /expected "drain", "balance" or "maintenance" after "plan", got nothing/,
    ],
    ['no inventory', ['drain', '--host', 'HostB'], /--inventory: expected the path of an inventory JSON file/],
    [
      'no host to drain',
      ['drain', '--inventory', scenario('seed-example')],
      /--host: expected at least one host to drain/,
    ],
    [
      'a bad threshold',
      ['balance', '--inventory', scenario('seed-example'), '--threshold', '1.5'],
      /--threshold: expected a number between 0 and 1, got 1\.5/,
    ],
    [
      'a bad move limit',
      ['balance', '--inventory', scenario('seed-example'), '--max-moves', 'many'],
      /--max-moves: expected a non-negative integer, got "many"/,
    ],
    [
      'a bad format',
      ['drain', '--inventory', scenario('seed-example'), '--host', 'HostB', '--format', 'yaml'],
      /--format: expected one of json, text, got "yaml"/,
    ],
    [
      'a bad method',
      ['drain', '--inventory', scenario('seed-example'), '--host', 'HostB', '--method', 'magic'],
      /--method: expected one of auto, heuristic, exact, got "magic"/,
    ],
    [
      'a bad timeout budget',
      ['drain', '--inventory', scenario('seed-example'), '--host', 'HostB', '--timeout-per-gib=-5'],
      /--timeout-per-gib: expected a positive number of seconds, got "-5"/,
    ],
  ])('%s', async (_name, args, pattern) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reports every problem of a request at once, one line each', async () => {
    const r = await cli([
      'drain',
      '--inventory',
      scenario('seed-example'),
      '--host',
      'HostX',
      '--host',
      'HostB',
      '--host',
      'HostB',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });
});

describe('bin/rebalancer.js', () => {
  beforeAll(buildOnce, 120_000);

  it('runs the real binary: seed example drain, JSON on a pipe, exit 0', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [join(root, 'bin/rebalancer.js'), 'plan', 'drain', '--inventory', scenario('seed-example'), '--host', 'HostB'],
      { cwd: root },
    );
    const plan = JSON.parse(stdout) as Plan;
    expect(plan.moves.map((m) => `${m.from}->${m.to}`)).toEqual(['HostB->HostC', 'HostB->HostC']);
  });

  it('exits 2 from the real binary on an unknown host', async () => {
    const run = promisify(execFile);
    const err = await run(
      process.execPath,
      [join(root, 'bin/rebalancer.js'), 'plan', 'drain', '--inventory', scenario('seed-example'), '--host', 'nope'],
      { cwd: root },
    ).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stdout).toBe('');
    expect(err.stderr).toContain('unknown host "nope"');
  });
});

describe('rebalancer plan: planner bugs', () => {
  it('exits 1 with one "internal error" line when the planner output fails verification', async () => {
    const { run } = await import('../../src/cli/commands/plan.js');
    const { PlanVerificationError } = await import('../../planner/index.js');
    const { io, out } = captureIo();
    const broken = () => {
      throw new PlanVerificationError([
        {
          wave: 0,
          code: 'CAPACITY',
          message: 'HostC memory in wave 0: 30000 + 4096 arriving (vm1) = 34096 > capacity 32232 MiB',
        },
      ]);
    };
    const code = await run(['drain', '--inventory', scenario('seed-example'), '--host', 'HostB'], io, { plan: broken });
    expect(code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      'rebalancer plan: internal error: planner produced an invalid plan: HostC memory in wave 0: 30000 + 4096 arriving (vm1) = 34096 > capacity 32232 MiB\n',
    );
  });
});
