#!/usr/bin/env node
/**
 * Builds the libvirt binding into ./libvirt: the npm package `libvirt` 1.2.1 (node-libvirt), fetched
 * from the npm registry and checked against its published integrity, with the project's patches
 * (patches/node-libvirt/*.patch, in order: the Node 20 port, the migrate() destination-name fix, the
 * migration control calls, the CPU comparison calls) applied, compiled by node-gyp against the local Node headers.
 *
 * Run by `npm install` / `npm ci` (the project's postinstall) and by `npm run build:binding`.
 * Without libvirt's development headers (pkg-config does not know `libvirt`), or with
 * REBALANCER_SKIP_LIBVIRT_BINDING=1, it prints one line and succeeds: only the simulated hypervisor
 * is then available. With the headers, a build that fails fails the install.
 * Idempotent: a stamp of the package, the Node ABI, the libvirt version and the patches skips a
 * build that is up to date. Needs (Debian): libvirt-dev pkg-config python3 make g++ patch.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const PACKAGE = 'libvirt@1.2.1';
/** dist.integrity of libvirt@1.2.1 on the npm registry. */
const INTEGRITY = 'sha512-iPXCz1GiolK85JzjVioNHJ0N2DwcRws9InAedWNRMS2t3dEgevaEI8R9/zw+GV3WZr94eEMezJJXymON3KdYXQ==';
/** The calls the driver needs that only the project's patches add, per class. */
const REQUIRED = {
  Domain: ['getJobStats', 'migrateSetMaxSpeed', 'migrateStartPostCopy', 'migrateToURI3'],
  Hypervisor: ['compareHypervisorCPU', 'compareCPUFlags', 'getDomainCapabilities'],
};

const here = import.meta.dirname;
const patches = resolve(here, '../../patches/node-libvirt');
const out = join(here, 'libvirt');
const stampFile = join(out, '.rebalancer-stamp');
const statusFile = join(here, 'status.txt');
const logFile = join(here, 'build.log');
const t0 = performance.now();
const seconds = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
const say = (line) => process.stdout.write(`[libvirt-binding] ${line}\n`);

/** Ends without a binding: one line, exit 0 (the project works with the simulated hypervisor). */
function skip(reason) {
  writeFileSync(statusFile, `skipped: ${reason}\n`);
  say(`skipped: ${reason}; only the simulated hypervisor is available`);
  process.exit(0);
}

class BuildFailed extends Error {
  name = 'BuildFailed';
}

/** A step of the build failed: ends the build (exit 1) saying which. */
function fail(what) {
  throw new BuildFailed(what);
}

/** Runs a command with its output appended to the log; returns whether it succeeded. */
function logged(cmd, args, options = {}) {
  writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n`, { flag: 'a' });
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`, { flag: 'a' });
  return r.status === 0;
}

function pkgConfig(...args) {
  const r = spawnSync('pkg-config', args, { encoding: 'utf8' });
  return r.error ? null : { ok: r.status === 0, out: r.stdout.trim() };
}

/** The build in `dir` loads in a fresh Node process and has every call the driver needs. */
function loads(dir) {
  const check = [
    `const l = require(${JSON.stringify(dir)});`,
    `const m = Object.entries(${JSON.stringify(REQUIRED)})`,
    ".flatMap(([c, names]) => names.filter((n) => typeof l[c].prototype[n] !== 'function'));",
    "if (m.length) { console.error('missing ' + m.join(', ')); process.exit(1); }",
  ].join(' ');
  return logged(process.execPath, ['-e', check]);
}

/** The npm command line: the npm running this install, else npm from PATH. */
function npm(args, options) {
  const cli = process.env.npm_execpath;
  return cli?.endsWith('.js') ? logged(process.execPath, [cli, ...args], options) : logged('npm', args, options);
}

/** node-gyp: the one npm provides to install scripts, else the one bundled with npm beside node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && resolve(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'),
    resolve(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

/**
 * One build at a time in this folder (an install and a test may start one together): a lock
 * folder holding its owner's pid, taken over when that process is gone.
 */
function lock() {
  const dir = join(here, '.build-lock');
  const pidFile = join(dir, 'pid');
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(pidFile, String(process.pid));
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const owner = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    const stale = !existsSync(dir) || Date.now() - statSync(dir).mtimeMs > 15 * 60_000;
    if (stale || (owner > 0 && !alive(owner))) rmSync(dir, { recursive: true, force: true });
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

if (process.env.REBALANCER_SKIP_LIBVIRT_BINDING === '1') skip('REBALANCER_SKIP_LIBVIRT_BINDING=1');
const headers = pkgConfig('--exists', 'libvirt');
if (!headers) skip('pkg-config not found (Debian: apt-get install pkg-config libvirt-dev), so no libvirt headers');
if (!headers.ok) skip("libvirt's development headers not found by pkg-config (Debian: apt-get install libvirt-dev)");

lock();
const patchFiles = readdirSync(patches)
  .filter((f) => /^\d\d-.*\.patch$/.test(f))
  .sort();
const digest = createHash('sha256');
for (const f of patchFiles) digest.update(readFileSync(join(patches, f)));
const stamp = [
  PACKAGE,
  `node-abi=${process.versions.modules}`,
  `libvirt=${pkgConfig('--modversion', 'libvirt')?.out}`,
  `patches=${digest.digest('hex').slice(0, 16)}`,
].join(' ');
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && loads(out)) {
  rmSync(statusFile, { force: true });
  say(`up to date (${stamp}) (${seconds()})`);
  process.exit(0);
}

writeFileSync(logFile, `building ${stamp}\n`);
const work = join(here, `.build-${process.pid}`);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
try {
  // 1. the published sources, from the npm registry (or npm's cache), checked against the pinned integrity
  if (!npm(['pack', PACKAGE, '--prefer-offline', '--pack-destination', work], { cwd: work }))
    fail(`npm pack ${PACKAGE} failed`);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  const integrity = `sha512-${createHash('sha512')
    .update(readFileSync(join(work, tarball)))
    .digest('base64')}`;
  if (integrity !== INTEGRITY) fail(`${tarball} has integrity ${integrity}, expected ${INTEGRITY}`);
  if (!logged('tar', ['-xzf', tarball], { cwd: work })) fail(`unpacking ${tarball} failed`);
  const src = join(work, 'package');
  // 2. the project's patches, in order
  for (const f of patchFiles) {
    if (!logged('patch', ['-p1', '--forward', '--batch', '-d', src, '-i', join(patches, f)])) fail(`patch ${f} failed`);
  }
  // 3. compiled against the local Node headers: nothing is downloaded
  const gyp = nodeGyp();
  if (!gyp) fail("npm's node-gyp not found");
  const nodedir = resolve(dirname(process.execPath), '..');
  const args = [gyp, 'rebuild', `--jobs=${availableParallelism()}`];
  if (existsSync(join(nodedir, 'include/node/node.h'))) args.push(`--nodedir=${nodedir}`);
  if (!logged(process.execPath, args, { cwd: src })) {
    const log = readFileSync(logFile, 'utf8').split('\n');
    fail(log.find((l) => /\berror\b/.test(l))?.trim() ?? 'node-gyp rebuild failed');
  }
  if (!loads(src)) fail('the built module does not load or lacks the patched calls');
  writeFileSync(join(src, '.rebalancer-stamp'), `${stamp}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(src, out);
  rmSync(statusFile, { force: true });
  say(`built ${stamp} in ${seconds()}`);
} catch (err) {
  if (!(err instanceof BuildFailed)) throw err;
  writeFileSync(statusFile, `build failed: ${err.message}\n`);
  process.stderr.write(
    `[libvirt-binding] build failed: ${err.message} (log: ${logFile}; ` +
      'REBALANCER_SKIP_LIBVIRT_BINDING=1 installs without it)\n',
  );
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
