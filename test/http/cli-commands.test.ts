/** The serve, execute and cancel commands, run in-process on a small demo region and a real SQLite file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cancel } from '../../src/cli/commands/cancel.js';
import { run as execute } from '../../src/cli/commands/execute.js';
import { run as serve } from '../../src/cli/commands/serve.js';
import type { CommandIo } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config/index.js';
import { lifecycleFor } from '../../src/app.js';
import { openSession } from '../../src/orchestrate/session.js';
import { systemClock } from '../../executor/clock.js';

function captureIo(): CommandIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTty: false,
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

let dir: string;
let configFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalancer-cli-'));
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      store: { path: join(dir, 'store.sqlite') },
      demo: { seed: 31, cells: 1, size: 8, timeScale: 1000 },
      planner: { method: 'heuristic' },
      nightly: { enabled: false },
      log: { level: 'silent' },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stores a drain plan of the busiest host, as the API or `rebalancer drain` would. */
async function storedDrain(hostIndex: number): Promise<string> {
  const loaded = loadConfig({ path: configFile, env: {} });
  if (!loaded.ok) throw new Error('config');
  const session = await openSession(loaded.config, { sampleMs: 0 });
  try {
    const o = lifecycleFor(loaded.config, session, { clock: systemClock });
    const inventory = await session.collect();
    const request = { goal: 'drain' as const, hosts: [inventory.hosts[hostIndex].name], source: 'cli' as const };
    const stored = await o.save(await o.plan(inventory, request));
    if (!stored.ok) throw new Error('held');
    return stored.record.id;
  } finally {
    await session.close();
  }
}

describe('rebalancer execute', () => {
  it('runs a stored plan to the end (after recover) and exits 0', async () => {
    const id = await storedDrain(0);
    const io = captureIo();
    expect(await execute([id, '--config', configFile], io)).toBe(0);
    expect(io.out).toBe(`plan ${id}: succeeded\n`);
    expect(io.err).toMatch(/: succeeded/);
    const json = captureIo();
    const second = await storedDrain(2);
    expect(await execute([second, '--config', configFile, '--format', 'json'], json)).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'succeeded' });
    const alias = captureIo();
    expect(await execute([id, '--config', configFile, '--json'], alias)).toBe(2);
    expect(alias.err).toContain('--json is deprecated: use --format json');
    const again = captureIo();
    expect(await execute([id, '--config', configFile], again)).toBe(2);
    expect(again.err).toContain('is succeeded: expected a plan in status "planned"');
  });

  it.each([
    [['--help'], 0, /usage: rebalancer execute/],
    [[], 2, /expected one plan id, got 0/],
    [['nope', '--config', '__CONFIG__'], 2, /no plan with id "nope"/],
    [['x', '--bogus'], 2, /Unknown option '--bogus'/],
    [['x', '--format', 'yaml'], 2, /--format: expected text or json, got "yaml"/],
  ])('execute %j exits %i', async (argv, code, pattern) => {
    const io = captureIo();
    expect(
      await execute(
        argv.map((a) => a.replace('__CONFIG__', configFile)),
        io,
      ),
    ).toBe(code);
    expect(io.out + io.err).toMatch(pattern);
  });
});

describe('rebalancer cancel', () => {
  it('cancels a planned plan, then reports it ended', async () => {
    const id = await storedDrain(1);
    const io = captureIo();
    expect(await cancel([id, '--config', configFile], io)).toBe(0);
    expect(io.out).toBe(`plan ${id}: cancelled\n`);
    const again = captureIo();
    expect(await cancel([id, '--config', configFile], again)).toBe(1);
    expect(again.err).toContain('already ended (cancelled)');
    const unknown = captureIo();
    expect(await cancel(['nope', '--config', configFile], unknown)).toBe(2);
    const help = captureIo();
    expect(await cancel(['--help'], help)).toBe(0);
    expect(help.out).toContain('usage: rebalancer cancel');
  });
});

describe('rebalancer serve', () => {
  it('starts on loopback with a generated token, prints URL, report and token, stops on signal', async () => {
    const io = captureIo();
    const stop = new AbortController();
    const done = serve(['--config', configFile, '--port', '0'], io, stop.signal);
    for (let i = 0; i < 100 && !io.out.includes('token:'); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (\S+)/.exec(io.out)![1];
    const token = /token:\s+(\S+)/.exec(io.out)![1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(io.out).toContain(`${url}/reports/capacity`);
    expect(io.out).toMatch(
      /^ {2}drivers: (libvirt \(patched binding loaded\), simulated|simulated only; libvirt unavailable: .+)$/m,
    );
    expect((await fetch(`${url}/plans`)).status).toBe(401);
    expect((await fetch(`${url}/plans`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    stop.abort();
    expect(await done).toBe(0);
  });

  it('refuses a non-loopback address without tokens', async () => {
    const io = captureIo();
    expect(await serve(['--config', configFile, '--host', '0.0.0.0'], io)).toBe(2);
    expect(io.err).toContain('refusing to listen on 0.0.0.0 without a token');
  });

  it('lists every configuration problem with its path and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'api:\n  port: -1\nplanner:\n  method: fast\n');
    const io = captureIo();
    expect(await serve(['--config', bad], io)).toBe(2);
    expect(io.err).toMatch(/api\.port: .*-1/);
    expect(io.err).toMatch(/planner\.method: /);
  });
});
