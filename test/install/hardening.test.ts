/**
 * The systemd unit's hardening does not break the service: the compiled service is traced with
 * strace while it serves the demo region and, on the lab, real libvirt hosts (collection through
 * the binding), and every system call it makes must be allowed by the unit's SystemCallFilter
 * (expanded with systemd-analyze); on the lab the libvirt sockets' folders are mounted read-only,
 * as ProtectSystem=strict leaves them. Skips without strace, systemd-analyze or root unless
 * REBALANCER_REQUIRE_REAL is set, then it fails.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/build.js';
import { holdLab, labSkip } from '../support/lab.js';
import { labHosts } from '../e2e/support.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);
const tools = ['/usr/bin/strace', '/usr/bin/systemd-analyze', '/usr/bin/unshare'];
const missing = [...tools.filter((t) => !existsSync(t)), ...(process.getuid?.() === 0 ? [] : ['root'])];
const skip = missing.length > 0 && !required;

/** Every system call the unit's SystemCallFilter lines allow, groups expanded by systemd-analyze. */
async function allowedSyscalls(): Promise<Set<string>> {
  const { stdout } = await run('/usr/bin/systemd-analyze', ['syscall-filter', '--no-pager']);
  const groups = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/^@\S+$/.test(line)) {
      current = [];
      groups.set(line, current);
    } else if (/^ {4}[@a-z0-9_-]+$/.test(line)) current.push(line.trim());
  }
  const expand = (name: string): string[] => (name.startsWith('@') ? (groups.get(name) ?? []).flatMap(expand) : [name]);
  const unit = readFileSync(resolve(repo, 'contrib/rebalancer.service'), 'utf8');
  const allowed = new Set<string>();
  const denied = new Set<string>();
  for (const [, value] of unit.matchAll(/^SystemCallFilter=(.*)$/gm)) {
    const deny = value.startsWith('~');
    for (const name of value.replace(/^~/, '').split(/\s+/).filter(Boolean).flatMap(expand))
      (deny ? denied : allowed).add(name);
  }
  for (const name of denied) allowed.delete(name);
  return allowed;
}

/**
 * Runs `rebalancer serve` (the compiled build) under strace with `config`, asks for the hosts and
 * the capacity report, stops it with SIGTERM, and returns the system calls it made.
 */
async function tracedService(config: object, readOnly: string[] = []): Promise<{ syscalls: string[]; hosts: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-hardening-'));
  const configFile = join(dir, 'config.json');
  const trace = join(dir, 'trace');
  writeFileSync(configFile, JSON.stringify({ store: { path: join(dir, 'store.sqlite') }, ...config }));
  const mounts = readOnly.map((d) => `mount --bind '${d}' '${d}' && mount -o remount,bind,ro '${d}'`);
  const service = [process.execPath, 'bin/rebalancer.js', 'serve', '--config', configFile, '--port', '0'];
  const child = spawn(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', [...mounts, 'exec "$@"'].join(' && '), 'sh'].concat(
      ['strace', '-f', '-qq', '-o', trace],
      service,
    ),
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  for (let i = 0; i < 600 && !/token:/.test(out) && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 100));
  const url = /listening on (\S+)/.exec(out)?.[1];
  const token = /token:\s+(\S+)/.exec(out)?.[1];
  // strace writes "<pid> <call>(...)"; the first line is the service's own process
  const pid = existsSync(trace) ? Number(readFileSync(trace, 'utf8').split(' ', 1)[0]) : 0;
  let hosts: number;
  try {
    if (!url || !token) throw new Error(`the service did not start: ${out}${err}`);
    const headers = { authorization: `Bearer ${token}` };
    const answer = await fetch(`${url}/hosts`, { headers });
    expect(answer.status).toBe(200);
    hosts = ((await answer.json()) as { hosts: unknown[] }).hosts.length;
    expect((await fetch(`${url}/reports/capacity?format=json`, { headers })).status).toBe(200);
  } finally {
    if (pid > 0) process.kill(pid, 'SIGTERM');
    else child.kill('SIGKILL');
  }
  expect(await exited).toBe(0);
  const calls = new Set<string>();
  for (const m of readFileSync(trace, 'utf8').matchAll(/^\d+ +([a-z0-9_]+)\(/gm)) calls.add(m[1]);
  return { syscalls: [...calls].sort(), hosts };
}

describe.skipIf(skip)('contrib/rebalancer.service hardening, traced', () => {
  let allowed: Set<string>;
  beforeAll(async () => {
    if (missing.length) throw new Error(`missing ${missing.join(', ')} (REBALANCER_REQUIRE_REAL is set)`);
    await buildOnce();
    allowed = await allowedSyscalls();
  }, 180_000);

  it('the demo service makes only system calls the unit allows', async () => {
    const { syscalls, hosts } = await tracedService({});
    expect(hosts).toBe(72);
    expect(syscalls.length).toBeGreaterThan(30);
    expect(syscalls.filter((s) => !allowed.has(s))).toEqual([]);
  }, 120_000);

  describe.skipIf(labSkip)('on the libvirt lab', () => {
    const lab = holdLab();

    it('collects from libvirtd over read-only socket folders with only allowed system calls', async () => {
      const sockets = lab().hosts.map((h) => dirname(new URL(h.uri).searchParams.get('socket') ?? ''));
      expect(sockets.every((s) => s.startsWith('/'))).toBe(true);
      const { syscalls, hosts } = await tracedService({ hypervisors: labHosts(lab()) }, sockets);
      expect(hosts).toBe(lab().hosts.length);
      expect(syscalls).toContain('connect');
      expect(syscalls.filter((s) => !allowed.has(s))).toEqual([]);
    }, 180_000);
  });
});
