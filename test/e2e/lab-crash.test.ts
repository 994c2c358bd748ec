/**
 * Crash recovery on real libvirt: `rebalancer drain --execute` is killed (SIGKILL) while it
 * migrates `big`; `rebalancer execute <plan id>` on the same store then recovers: it reconciles
 * with what the hosts report and finishes the plan. Skipped without the lab unless REBALANCER_REQUIRE_REAL is set.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStore } from '../../src/store/port.js';
import { planChain } from '../../executor/chain.js';
import { openStore } from '../../src/store/sqlite.js';
import { buildOnce } from '../support/build.js';
import { labSkip, labVm, holdLab, resetVms } from '../support/lab.js';
import { incomingMigrations, LAB_GROUPS, labHosts, locate, openRig, waitFor } from './support.js';

const repo = resolve(import.meta.dirname, '../..');
const MIB = 1024 * 1024;
const BANDWIDTH = 32; // MiB/s: big (384 MiB of random data) then migrates for 12 s or more

/** Runs the CLI as a child process (as an operator would), collecting its output. */
function cli(args: string[]) {
  const child = spawn(process.execPath, ['bin/rebalancer.js', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<{ status: NodeJS.Signals | number | null; stdout: string }>((r) =>
    child.on('close', (code, signal) => r({ status: signal ?? code, stdout })),
  );
  return { process: child, exit, stderr: () => stderr };
}

/** Where the killed process had got to: big's move migrating with some data copied. */
async function bigInFlight(store: ServiceStore): Promise<{ planId: string; index: number } | null> {
  const plan = (await store.listPlans())[0];
  const move = plan && (await store.listMoves(plan.id)).find((m) => m.move.name === 'big');
  if (!plan || !move || move.state !== 'migrating') return null;
  const last = (await store.listProgress(plan.id, move.index)).at(-1);
  return last && last.processedBytes > 64 * MIB ? { planId: plan.id, index: move.index } : null;
}

describe.skipIf(labSkip)('executor process killed mid-migration on the real lab', () => {
  const lab = holdLab();
  beforeAll(buildOnce, 120_000);

  it('reconciles after SIGKILL of the drain command: every VM on exactly one host, nothing migrated twice', async () => {
    await resetVms();
    const dir = mkdtempSync(join(tmpdir(), 'rb-crash-'));
    const storePath = join(dir, 'store.sqlite');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        store: { path: storePath },
        hypervisors: labHosts(lab()),
        serverGroups: LAB_GROUPS,
        executor: { bandwidthMiBps: BANDWIDTH, pollIntervalMs: 500 },
      }),
    );
    const incomingBefore = incomingMigrations(lab(), 'big');
    const child = cli([
      'drain',
      '--config',
      config,
      '--host',
      'lab-a',
      '--execute',
      '--format',
      'json',
      '--sample-ms',
      '0',
    ]);

    // the drain process creates the store; opening it while that process creates the tables waits for it
    const watch = await waitFor('the store', () => (existsSync(storePath) ? openStore(storePath) : null), 60_000);
    let killedAt: { planId: string; index: number };
    try {
      killedAt = await waitFor('big migrating with data copied', () => bigInFlight(watch), 90_000);
      child.process.kill('SIGKILL');
      expect((await child.exit).status, child.stderr()).toBe('SIGKILL');
      expect((await watch.getPlan(killedAt.planId))?.status).toBe('running');
      expect((await watch.getMove(killedAt.planId, killedAt.index))?.state).toBe('migrating');
    } finally {
      child.process.kill('SIGKILL');
      watch.close();
    }

    const restart = cli(['execute', killedAt.planId, '--config', config, '--format', 'json']);
    const exit = await restart.exit;
    expect(exit.status, restart.stderr()).toBe(0);
    expect(restart.stderr()).toMatch(/resuming plan .* left running by a stopped process/);
    const result = JSON.parse(exit.stdout) as { status: string; finalPlanId: string };
    const rig = openRig(lab(), storePath);
    try {
      const events = (await rig.store.listEvents({ planId: killedAt.planId }))
        .filter((e) => e.moveIndex === killedAt.index)
        .map((e) => e.type);
      console.info(`[e2e] after SIGKILL: ${result.status}; big's move events: ${events.join(', ')}`);
      expect(result.status).toBe('succeeded');

      const chain = await planChain(rig.store, killedAt.planId);
      expect(chain.at(-1)).toBe(result.finalPlanId);
      const moves = (await Promise.all(chain.map(async (id) => await rig.store.listMoves(id)))).flat();
      for (const name of ['small1', 'small2', 'disky', 'big']) {
        const done = moves.filter((m) => m.move.name === name && m.state === 'succeeded');
        expect(
          done.map((m) => m.move.name),
          `${name} succeeded exactly once`,
        ).toEqual([name]);
        const where = await locate(rig, labVm(name));
        expect(where, name).toEqual({ runningOn: [done[0].move.to], definedOn: [done[0].move.to] });
      }
      const bigAttempts = moves.filter((m) => m.move.name === 'big').reduce((n, m) => n + m.attempts, 0);
      // one QEMU `-incoming` start per migration attempt: a migration that completed was not repeated
      expect(incomingMigrations(lab(), 'big') - incomingBefore).toBe(bigAttempts);
      if (events.includes('migration.resumed') && !events.includes('move.requeued')) expect(bigAttempts).toBe(1);
    } finally {
      await rig.close();
    }
  }, 240_000);
});
