/**
 * A rolling maintenance campaign on real libvirt, through the service as `rebalancer serve` wires
 * it: POST /maintenance over lab-a, lab-b and lab-c (maxUnavailable 1) with a patch command from
 * the configuration that "reboots" each host by stopping and starting its libvirtd. The command
 * records what its host was running when it was handed over; a failing command pauses the
 * campaign; the service process (`rebalancer serve`) killed with SIGKILL mid-campaign and started
 * again resumes it. Skipped without the lab unless REBALANCER_REQUIRE_REAL is set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { planChain } from '../../executor/chain.js';
import { createService, type Service } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { ADMIN, makeCaller } from '../http/support/harness.js';
import { openStore } from '../../src/store/sqlite.js';
import type { ServiceStore } from '../../src/store/port.js';
import { buildOnce } from '../support/build.js';
import { holdLab, labSkip, labVm, resetVms, startDaemon, type Lab } from '../support/lab.js';
import { incomingMigrations, LAB_GROUPS, labHosts, locate, openRig, waitFor } from './support.js';

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
      `export REBALANCER_LAB_DIR='${lab.dir}' REBALANCER_LAB_PREFIX='${lab.prefix}'`,
      `bash '${repo}/scripts/lab/daemon.sh' stop "$REBALANCER_HOST"`,
      'sleep 1',
      `bash '${repo}/scripts/lab/daemon.sh' start "$REBALANCER_HOST"`,
      `echo "$REBALANCER_HOST end $(date +%s%N)" >> "$1"`,
      'echo "rebooted $REBALANCER_HOST"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { argv: [script, log], log };
}

/** The service configuration of these tests: the lab's hosts, the patch command, a fresh store. */
function configFile(lab: Lab, fail: boolean, executor: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-campaign-'));
  const { argv, log } = patchScript(lab, dir, fail);
  const config = join(dir, 'config.json');
  const store = join(dir, 'store.sqlite');
  writeFileSync(
    config,
    JSON.stringify({
      store: { path: store },
      api: { tokens: [{ token: ADMIN, role: 'admin' }] },
      hypervisors: labHosts(lab),
      serverGroups: LAB_GROUPS,
      nightly: { enabled: false },
      executor: { pollIntervalMs: 500, ...executor },
      maintenance: { hostCommand: argv, hostCommandTimeoutMinutes: 2, returnTimeoutMinutes: 2, pollSeconds: 1 },
    }),
  );
  return { dir, config, store, log };
}

async function withService<T>(lab: Lab, fail: boolean, fn: (call: Call, log: string, dir: string) => Promise<T>) {
  const { dir, config, log } = configFile(lab, fail);
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

/** `rebalancer serve --config FILE --port 0` as a process (as systemd runs it); resolves once it listens. */
function serveProcess(config: string): Promise<{ child: ChildProcess; call: Call; output: () => string }> {
  const child = spawn(process.execPath, ['bin/rebalancer.js', 'serve', '--config', config, '--port', '0'], {
    cwd: repo,
    env: { ...process.env, REBALANCER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolvePromise({ child, call: makeCaller(url), output: () => out });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code, signal) => reject(new Error(`serve ended (${signal ?? code}) before listening: ${out}`)));
  });
}

const MIB = 1024 * 1024;

/** The campaign's step draining lab-a, with big migrating and some of its memory copied. */
async function bigInFlight(store: ServiceStore): Promise<{ planId: string; index: number } | null> {
  for (const p of await store.listPlans()) {
    const move = (await store.listMoves(p.id)).find((m) => m.move.name === 'big');
    if (move?.state !== 'migrating') continue;
    const last = (await store.listProgress(p.id, move.index)).at(-1);
    if (last && last.processedBytes > 64 * MIB) return { planId: p.id, index: move.index };
  }
  return null;
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
  beforeAll(buildOnce, 180_000);

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

  it('resumes after SIGKILL of the service mid-campaign: nothing migrated twice, every host patched once, succeeded', async () => {
    await resetVms();
    // 32 MiB/s: big (384 MiB of random data) migrates for 12 s or more, long enough to be killed in flight
    const f = configFile(lab(), false, { bandwidthMiBps: 32 });
    const incomingBefore = incomingMigrations(lab(), 'big');
    const children: ChildProcess[] = [];
    try {
      const first = await serveProcess(f.config);
      children.push(first.child);
      const r = await first.call('POST', '/maintenance?host=lab-a&host=lab-b&host=lab-c&maxUnavailable=1&execute=true');
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const id = r.body.id as string;
      // lab-b and lab-c hold nothing: they are patched first, then lab-a is drained onto them
      expect(r.body.steps.map((s: { hosts: Array<{ host: string }> }) => s.hosts[0].host)).toEqual([
        'lab-b',
        'lab-c',
        'lab-a',
      ]);

      const watch = openStore(f.store);
      let killedAt: { planId: string; index: number };
      try {
        killedAt = await waitFor('big migrating off lab-a with data copied', () => bigInFlight(watch), 240_000);
        first.child.kill('SIGKILL');
        await new Promise((done) => first.child.once('exit', done));
        expect((await watch.getCampaign(id))?.status).toBe('running');
        const hosts = Object.fromEntries((await watch.listCampaignHosts(id)).map((h) => [h.host, h.state]));
        expect(hosts).toEqual({ 'lab-a': 'draining', 'lab-b': 'done', 'lab-c': 'done' });
        expect((await watch.getMove(killedAt.planId, killedAt.index))?.state).toBe('migrating');
      } finally {
        await watch.close();
      }

      const second = await serveProcess(f.config);
      children.push(second.child);
      const c = await settle(second.call, id);
      console.info(`[e2e] campaign after SIGKILL and restart: ${c.status}`);
      expect(c.reason ?? null, second.output()).toBe(null);
      expect(c.status).toBe('succeeded');
      expect(c.hosts).toEqual({ 'lab-a': 'done', 'lab-b': 'done', 'lab-c': 'done' });

      // each host was handed over once, empty
      const starts = readFileSync(f.log, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l.includes(' start '));
      expect(starts.map((l) => l.split(' ')[0]).sort()).toEqual(['lab-a', 'lab-b', 'lab-c']);
      for (const l of starts) expect(l, l).toContain('running=[]');

      // every VM left lab-a in exactly one succeeded move and runs where that move put it
      const rig = openRig(lab(), f.store);
      try {
        const chain = await planChain(rig.store, killedAt.planId);
        const moves = (await Promise.all(chain.map((p) => rig.store.listMoves(p)))).flat();
        const all = (await Promise.all((await rig.store.listPlans()).map((p) => rig.store.listMoves(p.id)))).flat();
        for (const name of VMS) {
          const done = all.filter((m) => m.move.name === name && m.state === 'succeeded');
          expect(
            done.map((m) => m.move.from),
            `${name} moved exactly once, off lab-a`,
          ).toEqual(['lab-a']);
          expect(await locate(rig, labVm(name)), name).toEqual({
            runningOn: [done[0].move.to],
            definedOn: [done[0].move.to],
          });
        }
        // one QEMU `-incoming` start per attempt of big's migration: the one cut by the kill was not repeated once done
        const attempts = moves.filter((m) => m.move.name === 'big').reduce((n, m) => n + m.attempts, 0);
        expect(incomingMigrations(lab(), 'big') - incomingBefore).toBe(attempts);
      } finally {
        await rig.close();
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
      for (const h of ['lab-a', 'lab-b', 'lab-c']) await startDaemon(h);
    }
  }, 600_000);
});
