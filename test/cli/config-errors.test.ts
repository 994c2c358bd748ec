/**
 * serve, execute, drain, maintenance, plans and hosts check the whole configuration, executor options included,
 * before starting anything, and name the file or environment variable of every bad value.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../support/cli.js';

function badConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'rb-config-errors-'));
  const file = join(dir, 'config.yaml');
  const store = join(dir, 'store.sqlite');
  writeFileSync(
    file,
    `store:\n  path: ${JSON.stringify(store)}\napi:\n  port: 99999\nexecutor:\n  concurrency:\n    global: 0\n`,
  );
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, '{}');
  return { file, store, plan };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('invalid configuration at start-up', () => {
  it.each([
    ['serve', (c: ReturnType<typeof badConfig>) => ['serve', '--config', c.file]],
    ['execute', (c: ReturnType<typeof badConfig>) => ['execute', c.plan, '--config', c.file]],
    ['drain', (c: ReturnType<typeof badConfig>) => ['drain', '--config', c.file, '--host', 'h1', '--execute']],
    ['maintenance', (c: ReturnType<typeof badConfig>) => ['maintenance', 'list', '--config', c.file]],
    ['plans', (c: ReturnType<typeof badConfig>) => ['plans', 'list', '--config', c.file]],
    ['hosts', (c: ReturnType<typeof badConfig>) => ['hosts', 'list', '--config', c.file]],
  ])('%s exits 2 naming every bad option and where it came from, starting nothing', async (name, argv) => {
    const c = badConfig();
    vi.stubEnv('REBALANCER_NIGHTLY__MAX_MOVES_PER_NIGHT', '0');
    const { io, out } = captureIo();
    expect(await main(argv(c), io)).toBe(2);
    expect(out.stderr).toContain(`rebalancer ${name}: invalid configuration`);
    expect(out.stderr).toContain(`  ${c.file}: api.port: `);
    expect(out.stderr).toMatch(/api\.port: .*<=65535.*got 99999/);
    expect(out.stderr).toContain(`  ${c.file}: executor.concurrency.global: `);
    expect(out.stderr).toMatch(/executor\.concurrency\.global: .*>0.*got 0/);
    expect(out.stderr).toMatch(/ {2}REBALANCER_NIGHTLY__MAX_MOVES_PER_NIGHT: nightly\.maxMovesPerNight: .*got 0/);
    expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(c.store)).toBe(false);
  });

  it('serve names a bad --port by its flag', async () => {
    const { io, out } = captureIo();
    expect(await main(['serve', '--port', 'eighty'], io)).toBe(2);
    expect(out.stderr).toMatch(/ {2}--port: api\.port: .*got "eighty"/);
  });
});
