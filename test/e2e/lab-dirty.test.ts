/**
 * Dirty rates and convergence on the real lab guest (scripts/lab/guest/init): a guest of its own
 * that rewrites 16 MiB of its memory every second, on lab-b. Its measured dirty rate, the
 * planner's convergence prediction at a bandwidth cap below it, and the executor's answer:
 * auto-converge when the plan says the move does not converge, a stall and an abort without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MBIT_PER_MIB, type Plan } from '../../planner/index.js';
import { holdLab, labSkip, resetVms, startGuest, virsh } from '../support/lab.js';
import { openRig, waitFor, type Rig } from './support.js';

const GUEST = { name: 'dirty16', uuid: '4e1d7a60-5b1c-4c0e-9a11-0000000000d1', memoryMb: 256, dirtyMiBps: 16 };
/** Below the guest's 16 MiB/s: plain pre-copy cannot converge (the downtime window is 500 ms). */
const CAP_MIBPS = 4;

async function withRig<T>(rig: Rig, fn: (rig: Rig) => Promise<T>): Promise<T> {
  try {
    return await fn(rig);
  } finally {
    await rig.close();
  }
}

async function stored(plan: Plan, orch: ReturnType<Rig['orchestrator']>): Promise<string> {
  const request = { goal: 'drain' as const, hosts: plan.target.hosts ?? [], source: 'cli' as const };
  const s = await orch.save({ plan, request, frozenInstances: [] });
  if (!s.ok) throw new Error(`maintenance held: ${JSON.stringify(s.heldBy)}`);
  return s.record.id;
}

/** What the guest itself says it wrote over its last ~8 s (scripts/lab/guest/init), MiB/s. */
function writtenMiBps(labDir: string, host: string): number | null {
  const file = join(labDir, 'hosts', host.replace(/^lab-/, ''), 'log', 'qemu', `${GUEST.name}.console`);
  const lines = existsSync(file) ? [...readFileSync(file, 'utf8').matchAll(/dirtied (\d+) KiB in (\d+) ms/g)] : [];
  const last = lines.at(-1);
  return last ? Number(last[1]) / 1024 / (Number(last[2]) / 1000) : null;
}

describe.skipIf(labSkip)('dirty rate and convergence on the real lab guest', () => {
  const lab = holdLab();

  async function guestHost(rig: Rig): Promise<string> {
    const where = await rig.hv.locate(
      GUEST.uuid,
      rig.hosts.map((h) => h.name),
    );
    expect(where.runningOn).toHaveLength(1);
    return where.runningOn[0];
  }

  async function planMove(rig: Rig, dirtyRateMs: number, timeoutPerGiBSeconds?: number) {
    const plan = await rig.planFor([GUEST.name], {
      migrationBandwidthMiBps: CAP_MIBPS,
      dirtyRateMs,
      timeoutPerGiBSeconds,
    });
    expect(plan.moves).toHaveLength(1);
    return { plan, from: plan.moves[0].from };
  }

  it('measures the guest dirty rate within a factor of two of what it writes', async () => {
    await resetVms(); // removes a guest left by an earlier run
    await startGuest('lab-b', GUEST.name, GUEST.memoryMb, GUEST.uuid, [`rb.dirty=${GUEST.dirtyMiBps}`]);
    await withRig(openRig(lab()), async (rig) => {
      await waitFor('the guest reporting what it wrote', () => writtenMiBps(lab().dir, 'lab-b') !== null, 60_000, 500);
      // page sampling is a sample: the median of three one-second measurements
      const t0 = Date.now();
      const inv = await rig.collect(undefined, { sampleMs: 1000, dirtyRateMs: 1000 });
      const ms = Date.now() - t0;
      const more = [
        await rig.collect([GUEST.name], { dirtyRateMs: 1000 }),
        await rig.collect([GUEST.name], { dirtyRateMs: 1000 }),
      ];
      const rates = [inv, ...more].map((x) => x.instances.find((i) => i.name === GUEST.name)!.dirtyRateMbps!);
      const measured = [...rates].sort((a, b) => a - b)[1];
      const written = writtenMiBps(lab().dir, 'lab-b')! * MBIT_PER_MIB;
      const nominal = GUEST.dirtyMiBps * MBIT_PER_MIB;
      console.info(
        `[e2e] dirty rate measured ${rates.join(', ')} Mbit/s; the guest wrote ${written.toFixed(0)} ` +
          `(nominal ${nominal.toFixed(0)}); collection ${ms} ms`,
      );
      expect(measured).toBeGreaterThanOrEqual(written / 2);
      expect(measured).toBeLessThanOrEqual(written * 2);
      // the idle lab guests dirty (almost) nothing
      for (const i of inv.instances.filter((x) => x.status === 'ACTIVE' && x.name !== GUEST.name))
        expect(i.dirtyRateMbps, i.name).toBeLessThan(nominal / 4);
    });
  }, 180_000);

  it(
    'predicts no convergence below the dirty rate and, run as planned, completes with auto-converge',
    async () => {
      await withRig(openRig(lab()), async (rig) => {
        const { plan, from } = await planMove(rig, 2000);
        expect(plan.moves[0]).toMatchObject({ name: GUEST.name, from, mode: 'live', converges: false });
        const orch = rig.orchestrator({ only: [GUEST.name], executor: { bandwidthMiBps: CAP_MIBPS, maxReplans: 0 } });
        const id = await stored(plan, orch);
        const t0 = Date.now();
        const result = await orch.execute(id);
        console.info(`[e2e] non-converging move with auto-converge: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        expect(result.status).toBe('succeeded');
        const started = (await rig.store.listEvents({ planId: id })).find((e) => e.type === 'migration.started');
        expect(started?.data).toMatchObject({ autoConverge: true });
        expect(await guestHost(rig)).toBe(plan.moves[0].to);
      });
      // One more try: a single dirty-rate sample on a busy TCG guest can come out low (seen once in a fresh-clone CI run,
      // where the plan still said the move converges); the assertions stay as they are.
    },
    { timeout: 300_000, retry: 1 },
  );

  it('forced without auto-converge it stalls and is aborted, the guest still running on its source', async () => {
    await withRig(openRig(lab()), async (rig) => {
      // planned without a dirty-rate figure, the move is expected to converge: plain pre-copy
      // completion timeout 2 x 45 s as a backstop: the stall detector (20 s) should come first
      const { plan, from } = await planMove(rig, 0, 45);
      expect(plan.moves[0].converges).toBeUndefined();
      const orch = rig.orchestrator({
        only: [GUEST.name],
        executor: { bandwidthMiBps: CAP_MIBPS, progressTimeoutSeconds: 20, maxReplans: 0 },
      });
      const id = await stored(plan, orch);
      const result = await orch.execute(id);
      expect(result.status).toBe('failed');
      const move = (await rig.store.getMove(id, 0))!;
      expect(move.state).toBe('timed_out');
      console.info(`[e2e] plain pre-copy below the dirty rate: ${move.error?.code} (${move.error?.message})`);
      expect(['STALLED', 'COMPLETION_TIMEOUT']).toContain(move.error?.code);
      expect(
        (await rig.store.listEvents({ planId: id })).find((e) => e.type === 'migration.started')?.data,
      ).toMatchObject({
        autoConverge: false,
      });
      expect(await guestHost(rig)).toBe(from);
      expect(await virsh(from, 'domstate', GUEST.name)).toBe('running');
    });
  }, 300_000);
});
