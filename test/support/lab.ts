/**
 * Discovery of the three-host libvirt lab made by scripts/lab/up.sh, for tests on real libvirt.
 * The lab is described by .lab/hosts.json (next to the file named by REBALANCER_LAB_ENV, else
 * in the repository). Tests use `describe.skipIf(labSkip)` and call `requireLab()` in
 * `beforeAll`: with REBALANCER_REQUIRE_REAL set, a missing lab fails the tests instead of
 * skipping them. vitest runs test files in parallel processes: a test file that changes the lab
 * holds `lockLab()` from beforeAll to afterAll so that lab test files take turns.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bindingProblem } from '../../executor/hypervisor/libvirt/binding.js';
import type { HostConfig } from '../../executor/hypervisor/types.js';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = resolve(repo, 'scripts/lab');

export interface LabVm {
  name: string;
  uuid: string;
  memoryMb: number;
  /** plain: no disk; disk: local qcow2 (block migration); blob: 384 MiB random data in RAM */
  kind: 'plain' | 'disk' | 'blob';
}

export interface Lab {
  dir: string;
  /** Prefix of its network namespaces (REBALANCER_LAB_PREFIX of up.sh): the lab scripts need it. @default 'rblab' */
  prefix: string;
  /** lab-a, lab-b, lab-c; cell `lab`; migrationUri = qemu+tcp on the namespace address */
  hosts: HostConfig[];
  vms: LabVm[];
}

export const requireReal = Boolean(process.env.REBALANCER_REQUIRE_REAL);

export const LAB_MISSING =
  'the libvirt lab is not running: as root run `bash scripts/system-deps.sh && npm run build:binding && bash scripts/lab/up.sh` ' +
  '(or `npm run test:all`), then run the tests again';

function hostsFile(): string {
  const env = process.env.REBALANCER_LAB_ENV;
  return env ? resolve(dirname(env), 'hosts.json') : resolve(repo, '.lab/hosts.json');
}

/** The running lab, or null when up.sh has not run (or down.sh removed it). */
export function findLab(): Lab | null {
  const file = hostsFile();
  if (!existsSync(file)) return null;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    labDir: string;
    netnsPrefix?: string;
    hosts: Array<HostConfig & { address?: string; id?: string }>;
    vms: LabVm[];
  };
  return {
    dir: doc.labDir,
    prefix: doc.netnsPrefix ?? 'rblab',
    hosts: doc.hosts.map(({ name, uri, migrationUri, cell }) => ({ name, uri, migrationUri, cell })),
    vms: doc.vms,
  };
}

export const lab = findLab();

/**
 * A lab started before the install step built the binding holds a build of its own in
 * <lab>/node-libvirt: tests use it while this checkout has none (`npm run build:binding` makes one).
 */
const labBinding = lab && resolve(lab.dir, 'node-libvirt/node_modules/libvirt');
if (labBinding && !process.env.REBALANCER_LIBVIRT_BINDING && existsSync(labBinding) && bindingProblem() !== null)
  process.env.REBALANCER_LIBVIRT_BINDING = labBinding;
/** True when lab tests may be skipped: no lab and not required. */
export const labSkip = lab === null && !requireReal;

/** The lab, or an error saying how to start it (call in beforeAll). */
export function requireLab(): Lab {
  if (!lab) throw new Error(`${LAB_MISSING} (looked for ${hostsFile()})`);
  return lab;
}

export function labVm(name: string): LabVm {
  const vm = requireLab().vms.find((v) => v.name === name);
  if (!vm) throw new Error(`no lab VM named "${name}"`);
  return vm;
}

export const hostNames = (): string[] => requireLab().hosts.map((h) => h.name);
export function uriOf(host: string): string {
  const h = requireLab().hosts.find((x) => x.name === host);
  if (!h) throw new Error(`no lab host named "${host}"`);
  return h.uri;
}

async function script(name: string, args: string[], timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run('bash', [resolve(scripts, name), ...args], {
      timeout,
      env: { ...process.env, REBALANCER_LAB_DIR: requireLab().dir, REBALANCER_LAB_PREFIX: requireLab().prefix },
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: number };
    throw new Error(
      `scripts/lab/${name} ${args.join(' ')} failed (exit ${e.code}): ${e.stderr?.trim() || 'no output'}`,
      { cause: err },
    );
  }
}

/**
 * Back to the known state: every domain on every lab host removed, the test VMs defined and
 * running on lab-a (all daemons started). With names, only those VMs are reset.
 */
export async function resetVms(names: string[] = []): Promise<void> {
  await script('reset-vms.sh', names);
}

/**
 * Defines and starts an extra lab guest on `host` (scripts/lab/start-guest.sh), e.g. with
 * `rb.dirty=16` to rewrite 16 MiB of its memory every second; resolves once it is ready. The next
 * full `resetVms()` removes it.
 */
export async function startGuest(
  host: string,
  name: string,
  memoryMb: number,
  uuid: string,
  kernelArgs: string[] = [],
): Promise<void> {
  await script('start-guest.sh', [host, name, String(memoryMb), uuid, ...kernelArgs]);
}

/** Stops one lab host's libvirtd (its VMs keep running), e.g. `stopDaemon('lab-b')`. */
export async function stopDaemon(host: string): Promise<void> {
  await script('daemon.sh', ['stop', host]);
}

export async function startDaemon(host: string): Promise<void> {
  await script('daemon.sh', ['start', host]);
}

/** Runs virsh against a lab host (e.g. to shut a VM off), returns its output. */
export async function virsh(host: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('virsh', ['-q', '-c', uriOf(host), ...args], { timeout: 60_000 });
  return stdout.trim();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lab for this test file (a lock file holding this process id; a lock left by a dead
 * process is taken over). Resolves to the release function. Give the calling hook a timeout
 * longer than `waitMs`, e.g. `beforeAll(async () => { release = await lockLab(); }, 660_000)`.
 */
export async function lockLab(waitMs = 600_000): Promise<() => Promise<void>> {
  // one lock file for every lab test file (driver and e2e), so they take turns
  const file = resolve(requireLab().dir, 'tests.lock');
  const me = String(process.pid);
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      await writeFile(file, me, { flag: 'wx' });
      return async () => {
        if ((await readFile(file, 'utf8').catch(() => '')) === me) await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => '0'));
    if (holder > 0 && !alive(holder)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > until)
      throw new Error(`the lab is still locked by process ${holder} after ${waitMs} ms (${file})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * For a lab test file: takes the lab lock before its tests (waiting up to `waitMs` for other lab
 * test files) and releases it after; returns a getter of the running lab.
 */
export function holdLab(waitMs = 600_000): () => Lab {
  let lab: Lab | undefined;
  let release: () => Promise<void> = async () => {};
  beforeAll(async () => {
    lab = requireLab();
    release = await lockLab(waitMs);
  }, waitMs + 60_000);
  afterAll(() => release());
  return () => {
    if (!lab) throw new Error('holdLab: the lab is only available inside tests');
    return lab;
  };
}
