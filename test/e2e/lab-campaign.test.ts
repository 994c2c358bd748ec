/**
 * A rolling maintenance campaign on real libvirt, through the service as `rebalancer serve` wires
 * it: POST /maintenance over lab-a, lab-b and lab-c (maxUnavailable 1) with a patch command from
 * the configuration that "reboots" each host by stopping and starting its libvirtd. The command
 * records what its host was running when it was handed over; a failing command pauses the
 * campaign. Skipped without the lab unless REBALANCER_REQUIRE_REAL is set.
 */
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { ADMIN, makeCaller } from '../http/support/harness.js';
import { holdLab, labSkip, labVm, resetVms, startDaemon, type Lab } from '../support/lab.js';
import { LAB_GROUPS, labHosts, locate, openRig } from './support.js';

const repo = resolve(import.meta.dirname, '../..');
const VMS = ['big', 'disky', 'small1', 'small2'];
type Call = ReturnType<typeof makeCaller>;

/**
 * The patch command an operator would write for the lab: note the domains still running on the
 * host, then restart its libvirtd (the lab's "reboot"); `fail` makes it exit 1 without rebooting.
 */
function patchScript(lab: Lab, dir: string, fail: boolean): { argv: string[]; log: string } {
  const log = join(dir, 'handover.log');
  const script = join(dir, 'patch.sh');
  const uris = lab.hosts.map((h) => `  ${h.name}) uri='${h.uri}' ;;`).join('\n');
  writeFileSync(
    script,
    [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'case "$REBALANCER_HOST" in',
      uris,
      '  *) echo "unknown host $REBALANCER_HOST" >&2; exit 2 ;;',
      'esac',
      'running=$(virsh -q -c "$uri" list --name | tr -s "\\n" " " | sed "s/ *$//")',
      `echo "$REBALANCER_HOST start running=[$running] $(date +%s%N)" >> "$1"`,
      fail ? 'echo "firmware update failed on $REBALANCER_HOST" >&2; exit 1' : '',
      `REBALANCER_LAB_DIR='${lab.dir}' bash '${repo}/scripts/lab/daemon.sh' stop "$REBALANCER_HOST"`,
      'sleep 1',
      `REBALANCER_LAB_DIR='${lab.dir}' bash '${repo}/scripts/lab/daemon.sh' start "$REBALANCER_HOST"`,
      `echo "$REBALANCER_HOST end $(date +%s%N)" >> "$1"`,
      'echo "rebooted $REBALANCER_HOST"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { argv: [script, log], log };
}

async function withService<T>(lab: Lab, fail: boolean, fn: (call: Call, log: string, dir: string) => Promise<T>) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-campaign-'));
  const { argv, log } = patchScript(lab, dir, fail);
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      store: { path: join(dir, 'store.sqlite') },
      api: { tokens: [{ token: ADMIN, role: 'admin' }] },
      hypervisors: labHosts(lab),
      serverGroups: LAB_GROUPS,
      nightly: { enabled: false },
      executor: { pollIntervalMs: 500 },
      maintenance: { hostCommand: argv, hostCommandTimeoutMinutes: 2, returnTimeoutMinutes: 2, pollSeconds: 1 },
    }),
  );
  const loaded = loadConfig({ path: config, env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const service: Service = await createService({ config: loaded.config, log: silentLogger() });
  const server: Server = await new Promise((r) => {
    const s = service.app.listen(0, '127.0.0.1', () => r(s));
  });
  try {
    return await fn(makeCaller(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), log, dir);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await service.close();
  }
}

async function settle(call: Call, id: string, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = (await call('GET', `/maintenance/${id}`)).body;
    if (['succeeded', 'paused', 'failed', 'cancelled'].includes(c.status) || Date.now() > deadline) return c;
    await sleep(500);
  }
}

async function where(lab: Lab): Promise<Record<string, string[]>> {
  const rig = openRig(lab);
  try {
    const out: Record<string, string[]> = {};
    for (const name of VMS) out[name] = (await locate(rig, labVm(name))).runningOn;
    return out;
  } finally {
    await rig.close();
  }
}

describe.skipIf(labSkip)('maintenance campaign on the real libvirt lab', () => {
  const lab = holdLab();

  it('patches lab-a, lab-b and lab-c one at a time, each empty when its libvirtd restarts', async () => {
    await resetVms();
    try {
      await withService(lab(), false, async (call, log) => {
        const t0 = Date.now();
        const r = await call('POST', '/maintenance?host=lab-a&host=lab-b&host=lab-c&maxUnavailable=1&execute=true');
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body.feasible, JSON.stringify({ unplaced: r.body.unplaced, steps: r.body.steps })).toBe(true);
        const c = await settle(call, r.body.id);
        console.info(`[e2e] campaign over 3 lab hosts: ${c.status} in ${Date.now() - t0} ms, ${c.steps.length} steps`);
        expect(c.reason ?? null).toBe(null);
        expect(c.status).toBe('succeeded');
        expect(c.hosts).toEqual({ 'lab-a': 'done', 'lab-b': 'done', 'lab-c': 'done' });
        for (const s of c.steps) expect(s.hosts.length).toBe(1);
        expect(c.steps.map((s: { hosts: Array<{ state: string }> }) => s.hosts[0].state)).toEqual([
          'done',
          'done',
          'done',
        ]);
        for (const s of c.steps) for (const m of s.moves) expect(m.state).toBe('succeeded');

        // each host was empty when its command ran, and the commands never overlapped
        const lines = readFileSync(log, 'utf8').trim().split('\n');
        const starts = lines.filter((l) => l.includes(' start '));
        expect(starts.map((l) => l.split(' ')[0]).sort()).toEqual(['lab-a', 'lab-b', 'lab-c']);
        for (const l of starts) expect(l, l).toContain('running=[]');
        const order = lines.map((l) => l.split(' ').slice(0, 2).join(' '));
        for (let k = 0; k < order.length; k += 2) {
          const host = order[k].split(' ')[0];
          expect(order.slice(k, k + 2)).toEqual([`${host} start`, `${host} end`]);
        }

        // every VM runs on exactly one host at the end
        const rig = openRig(lab());
        try {
          for (const name of VMS) {
            const at = await locate(rig, labVm(name));
            expect(at.runningOn, name).toHaveLength(1);
            expect(at.definedOn, name).toEqual(at.runningOn);
          }
        } finally {
          await rig.close();
        }
      });
    } finally {
      for (const h of ['lab-a', 'lab-b', 'lab-c']) await startDaemon(h);
    }
  }, 600_000);

  it('pauses when the patch command fails: the host stays out, nothing else moves', async () => {
    await resetVms();
    await withService(lab(), true, async (call, log) => {
      const r = await call('POST', '/maintenance?host=lab-a&host=lab-b&host=lab-c&maxUnavailable=1&execute=true');
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const c = await settle(call, r.body.id);
      expect(c.status).toBe('paused');
      const first = c.steps[0].hosts[0].host as string;
      expect(c.hosts[first]).toBe('failed');
      expect(c.reason).toMatch(
        new RegExp(
          `^patch command for ${first}: .*patch\\.sh exited with status 1: firmware update failed on ${first}$`,
        ),
      );
      expect(c.steps[0].hosts[0].reason).toBe(c.reason);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${first} start running=[]`);
      const others = Object.entries(c.hosts).filter(([h]) => h !== first);
      expect(
        others.every(([, s]) => s === 'pending'),
        JSON.stringify(c.hosts),
      ).toBe(true);
      const before = await where(lab());
      await sleep(5_000);
      expect(await where(lab())).toEqual(before);
      const again = (await call('GET', `/maintenance/${r.body.id}`)).body;
      expect(again.status).toBe('paused');
      expect(again.hosts).toEqual(c.hosts);
      expect(existsSync(log) && readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    });
  }, 600_000);
});
