/**
 * The libvirt binding as part of install (packages/libvirt-binding/build.mjs, the project's
 * postinstall): without libvirt's headers it is skipped with one line and the install succeeds;
 * with them (REBALANCER_REQUIRE_REAL: CI and `npm run test:all` have libvirt-dev) the build that
 * `npm ci` made loads with the project's patched calls, and the driver uses it, and a step that
 * fails (a patch that does not apply) fails the install with one line naming it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bindingProblem } from '../../executor/hypervisor/libvirt/index.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);
const hasPkgConfig = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'pkg-config')));
const hasHeaders = hasPkgConfig && spawnSync('pkg-config', ['--exists', 'libvirt']).status === 0;

/** A copy of the binding package in a fresh folder, so a run never touches the project's build. */
function packageCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'rb-binding-'));
  const dir = join(root, 'packages/libvirt-binding');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, 'patches/node-libvirt'), { recursive: true });
  for (const f of ['build.mjs', 'index.js', 'package.json'])
    copyFileSync(join(repo, 'packages/libvirt-binding', f), join(dir, f));
  return dir;
}

async function install(dir: string, env: Record<string, string>) {
  const { REBALANCER_SKIP_LIBVIRT_BINDING: _, ...base } = process.env;
  return run(process.execPath, [join(dir, 'build.mjs')], { cwd: dir, env: { ...base, ...env } });
}

describe('libvirt binding install step without the headers', () => {
  it('is skipped with one clear line when pkg-config is not on PATH, and succeeds', async () => {
    const dir = packageCopy();
    const emptyBin = mkdtempSync(join(tmpdir(), 'rb-nobin-'));
    const { stdout, stderr } = await install(dir, { PATH: emptyBin });
    expect(stderr).toBe('');
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      '[libvirt-binding] skipped: pkg-config not found (Debian: apt-get install pkg-config libvirt-dev), so no ' +
        'libvirt headers; only the simulated hypervisor is available',
    ]);
    expect(existsSync(join(dir, 'libvirt'))).toBe(false);
    // the driver's load then says why there is no binding
    expect(() => createRequire(import.meta.url)(dir)).toThrow(/^not built: skipped: pkg-config not found/);
    expect(bindingProblem(dir)).toMatch(/npm run build:binding.*not built: skipped: pkg-config not found/);
  });

  it('is skipped with one clear line when pkg-config does not know libvirt, and succeeds', async (ctx) => {
    if (!hasPkgConfig) {
      if (required)
        throw new Error('pkg-config is missing (REBALANCER_REQUIRE_REAL is set): run scripts/system-deps.sh');
      ctx.skip();
    }
    const dir = packageCopy();
    const empty = mkdtempSync(join(tmpdir(), 'rb-nopc-'));
    const { stdout, stderr } = await install(dir, { PKG_CONFIG_LIBDIR: empty, PKG_CONFIG_PATH: empty });
    expect(stderr).toBe('');
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      "[libvirt-binding] skipped: libvirt's development headers not found by pkg-config (Debian: apt-get install " +
        'libvirt-dev); only the simulated hypervisor is available',
    ]);
    expect(readFileSync(join(dir, 'status.txt'), 'utf8')).toMatch(/^skipped: libvirt's development headers/);
    expect(existsSync(join(dir, 'libvirt'))).toBe(false);
  });

  it('is skipped on request (REBALANCER_SKIP_LIBVIRT_BINDING=1)', async () => {
    const { stdout } = await install(packageCopy(), { REBALANCER_SKIP_LIBVIRT_BINDING: '1' });
    expect(stdout).toBe(
      '[libvirt-binding] skipped: REBALANCER_SKIP_LIBVIRT_BINDING=1; only the simulated hypervisor is available\n',
    );
  });
});

describe('libvirt binding install step with the headers', () => {
  it('fails the install with one line naming the step when a patch does not apply', async (ctx) => {
    if (!hasHeaders && !required) ctx.skip();
    const dir = packageCopy();
    const patches = resolve(dir, '../../patches/node-libvirt');
    copyFileSync(
      join(repo, 'patches/node-libvirt/01-node-libvirt-node20-v8-port.patch'),
      join(patches, '01-port.patch'),
    );
    writeFileSync(
      join(patches, '02-broken.patch'),
      '--- a/src/domain.cc\n+++ b/src/domain.cc\n@@ -1,1 +1,1 @@\n-nothing\n+else\n',
    );
    const err = await install(dir, {}).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stdout).toBe('');
    expect(err.stderr).toBe(
      `[libvirt-binding] build failed: patch 02-broken.patch failed (log: ${join(dir, 'build.log')}; ` +
        'REBALANCER_SKIP_LIBVIRT_BINDING=1 installs without it)\n',
    );
    expect(readFileSync(join(dir, 'status.txt'), 'utf8')).toBe('build failed: patch 02-broken.patch failed\n');
    expect(existsSync(join(dir, 'libvirt'))).toBe(false);
    expect(readFileSync(join(dir, 'build.log'), 'utf8')).toContain('02-broken.patch');
  });

  it('the build made by the install loads with the patched calls and the driver uses it', {
    timeout: 600_000,
  }, async (ctx) => {
    const problem = bindingProblem();
    if (problem !== null && !required) ctx.skip();
    expect(problem).toBeNull();
    // run again: the install step finds its build up to date (or, when patches were added since,
    // builds it again with them)
    const { stdout } = await run(process.execPath, ['packages/libvirt-binding/build.mjs'], { cwd: repo });
    expect(stdout).toMatch(
      /^\[libvirt-binding\] (up to date \(|built )libvirt@1\.2\.1 node-abi=\d+ libvirt=[\d.]+ patches=\w{16}/,
    );
  });
});
