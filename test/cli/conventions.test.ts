/**
 * Command-line conventions, on the real binary (bin/rebalancer.js over the compiled build):
 * --version / -V, help <command>, output errors that end quietly with the right status, and a
 * start-up banner whose commands do what they say.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchPlan } from '../../src/cli/drain/watch.js';
import { BROKEN_PIPE_STATUS, type CommandIo } from '../../src/cli/io.js';
import { demoRegion } from '../../src/demo/region.js';
import { openStore } from '../../src/store/sqlite.js';
import { VERSION } from '../../src/version.js';
import { samplePlan } from '../store/helpers.js';
import { buildOnce } from '../support/build.js';

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin/rebalancer.js');
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
const sh = (script: string) => spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: repo });

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rebalancer-conventions-'));
  await buildOnce();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rebalancer --version and help', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version and exits 0', (flag) => {
    const r = cli([flag]);
    expect(r.stdout).toBe(`rebalancer ${VERSION}\n`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('help <command> is <command> --help; help of an unknown command is a usage error', () => {
    const viaHelp = cli(['help', 'report']);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toContain('usage: rebalancer report capacity');
    expect(viaHelp.stdout).toBe(cli(['report', '--help']).stdout);
    const unknown = cli(['help', 'nosuch']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "nosuch"');
  });
});

describe('output errors', () => {
  // the report (about 80 KB) is larger than a pipe's buffer, so the write fails once head leaves
  it('a reader that goes away (| head -c 10) ends the command quietly with status 141', () => {
    const file = join(dir, 'inventory.json');
    writeFileSync(file, JSON.stringify(demoRegion({ seed: 5, cells: 8, size: 48 })));
    const r = sh(
      `node bin/rebalancer.js report capacity --inventory ${file} --format json 2>${dir}/err | head -c 10; ` +
        'echo " $PIPESTATUS"', // the status of the pipe's first command
    );
    expect(r.stdout).toMatch(new RegExp(`^.{10} ${BROKEN_PIPE_STATUS}\\n$`, 's'));
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
  });

  it.each([['hosts list'], ['plans list']])(
    'rebalancer %s --format json | head -c 10 ends quietly with status 141',
    async (command) => {
      // outputs larger than a pipe's buffer: 400 hosts, 300 stored plans
      const inventory = join(dir, 'inventory-400.json');
      writeFileSync(inventory, JSON.stringify(demoRegion({ seed: 5, cells: 8, size: 400 })));
      const path = join(dir, 'plans.sqlite');
      const store = openStore(path);
      for (let k = 0; k < 300; k++) await store.createPlan({ plan: samplePlan(2), source: 'cli', at: k });
      await store.close();
      const config = join(dir, 'plans.yaml');
      writeFileSync(config, `store:\n  path: ${path}\n`);
      const extra = command === 'hosts list' ? `--inventory ${inventory}` : '--limit 1000';
      const r = sh(
        `node bin/rebalancer.js ${command} ${extra} --config ${config} --format json 2>${dir}/err | head -c 10; ` +
          'echo " $PIPESTATUS"',
      );
      expect(r.stdout).toMatch(new RegExp(`^.{10} ${BROKEN_PIPE_STATUS}\\n$`, 's'));
      expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
    },
    30_000,
  );

  it('an output that cannot be written (a full device) says so in one line and exits 1', () => {
    const r = sh('node bin/rebalancer.js --version >/dev/full');
    expect(r.stderr).toMatch(/^rebalancer: cannot write output: ENOSPC[^\n]*\n$/);
    expect(r.status).toBe(1);
  });
});

describe('rebalancer serve banner', () => {
  it('the report command it prints saves the HTML report', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        REBALANCER_STORE__PATH: join(dir, 'store.sqlite'),
        REBALANCER_DEMO: JSON.stringify({ seed: 3, cells: 1, size: 6, timeScale: 100 }),
        REBALANCER_NIGHTLY__ENABLED: 'false',
        REBALANCER_LOG__LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (/-o report\.html \S+\n/.test(out)) done();
        });
        child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
      });
      const command = /(curl [^\n]*-o report\.html \S+)/.exec(out)![1];
      const r = spawnSync('bash', ['-c', command], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('progress display', () => {
  it.each([
    [true, true, true],
    [true, false, false],
    [false, true, true],
  ])('stdout a terminal: %s, stderr a terminal: %s: redrawn: %s', async (isTty, stderrIsTty, redrawn) => {
    const store = openStore(':memory:');
    const id = (await store.createPlan({ plan: samplePlan(2), source: 'cli', at: 1 })).id;
    await store.updateMove(id, 0, { state: 'migrating', startedAt: 1 }, 1);
    let err = '';
    const io: CommandIo = {
      stdout: () => {},
      stderr: (t) => {
        err += t;
      },
      isTty,
      stderrIsTty,
    };
    const w = watchPlan(store, id, io, { intervalMs: 60_000 });
    await w.tick();
    await w.stop();
    expect(err).toContain('migrating');
    expect(err.includes('\x1b[2K')).toBe(redrawn);
    await store.close();
  });
});
