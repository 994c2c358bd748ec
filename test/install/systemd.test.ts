/**
 * contrib/rebalancer.service passes `systemd-analyze verify` (Debian's systemd package) with no
 * warning at all, runs the built entry point, and keeps the hardening the README promises
 * (`systemd-analyze security` exposure level). Skips without systemd-analyze unless
 * REBALANCER_REQUIRE_REAL is set, then it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const unit = resolve(repo, 'contrib/rebalancer.service');
const ANALYZE = '/usr/bin/systemd-analyze';
const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);

function needAnalyze(ctx: { skip(): void }) {
  if (existsSync(ANALYZE)) return;
  if (required) throw new Error(`${ANALYZE} is missing (REBALANCER_REQUIRE_REAL is set): run scripts/system-deps.sh`);
  ctx.skip();
}

describe('contrib/rebalancer.service', () => {
  it('passes systemd-analyze verify without any message', async (ctx) => {
    needAnalyze(ctx);
    // verify checks that ExecStart's program exists: where Node is not /usr/bin/node (nvm, a
    // tarball), a copy of the unit naming this machine's node is verified instead
    let file = unit;
    if (!existsSync('/usr/bin/node')) {
      file = join(mkdtempSync(join(tmpdir(), 'rb-unit-')), 'rebalancer.service');
      writeFileSync(
        file,
        readFileSync(unit, 'utf8').replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `),
      );
    }
    const { stdout, stderr } = await run(ANALYZE, ['verify', file]);
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('runs the built entry point under a dedicated user with a state directory and a restart policy', () => {
    const text = readFileSync(unit, 'utf8');
    const values = (key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
    expect(values('ExecStart')).toEqual([
      '/usr/bin/node /opt/rebalancer/bin/rebalancer.js serve --config /etc/rebalancer/config.yaml',
    ]);
    expect(readFileSync(resolve(repo, 'bin/rebalancer.js'), 'utf8')).toContain("'../dist/bundle/main.js'");
    expect(values('User')).toEqual(['rebalancer']);
    expect(values('StateDirectory')).toEqual(['rebalancer']);
    expect(values('Restart')).toEqual(['on-failure']);
    // the user and its libvirt group membership come from the sysusers file
    expect(readFileSync(resolve(repo, 'contrib/rebalancer.sysusers.conf'), 'utf8')).toMatch(
      /^u rebalancer - .*\/var\/lib\/rebalancer$[\s\S]*^m rebalancer libvirt$/m,
    );
  });

  it('is hardened: systemd-analyze security rates its exposure below 2 (OK)', async (ctx) => {
    needAnalyze(ctx);
    const { stdout } = await run(ANALYZE, ['security', '--offline=yes', '--no-pager', unit]);
    const level = Number(/Overall exposure level for rebalancer\.service: ([\d.]+)/.exec(stdout)?.[1]);
    expect(level).toBeLessThan(2);
  });
});
