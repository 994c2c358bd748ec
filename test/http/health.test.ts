/**
 * Health that tells the truth: the store on a real 400 KiB filesystem (tmpfs mounted here, root
 * needed) fills up; writes answer 503 STORE_UNAVAILABLE with SQLite's reason and store nothing
 * half, /readyz says which check fails while /healthz (liveness) stays up, and once there is room
 * the next write brings readiness back. Skips without root unless REBALANCER_REQUIRE_REAL is set, then it fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRegion } from '../../src/demo/region.js';
import { startHarness, type Harness } from './support/harness.js';

const required = Boolean(process.env.REBALANCER_REQUIRE_REAL);
const inventory = demoRegion({ seed: 4, cells: 3, size: 24 });

describe('a store on a full filesystem', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'rebalancer-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mountPoint], { encoding: 'utf8' });
  const mounted = mount.status === 0;
  let t: Harness;
  beforeAll(async () => {
    if (!mounted) return;
    t = await startHarness({ inventory, config: (c) => ({ ...c, store: { path: join(mountPoint, 'store.sqlite') } }) });
  });
  afterAll(async () => {
    await t?.close();
    if (mounted) spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it.skipIf(!mounted && !required)(
    'answers 503 STORE_UNAVAILABLE naming the cause, stores nothing half, readiness follows',
    async () => {
      expect(mount.status, `mount tmpfs failed (REBALANCER_REQUIRE_REAL is set): ${mount.stderr}`).toBe(0);
      const filler = join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(160 * 1024));
      expect((await t.call('GET', '/readyz', { token: null })).status).toBe(200);

      const drained: string[] = [];
      let refused: any = null;
      for (const host of inventory.hosts) {
        const r = await t.call('POST', `/plans/drain?host=${host.name}`);
        if (r.status === 201) drained.push(host.name);
        else if (r.status === 503) {
          refused = r.body;
          break;
        } else expect([201, 409, 422], JSON.stringify(r.body)).toContain(r.status);
      }
      expect(drained.length).toBeGreaterThan(0);
      expect(refused?.error.code).toBe('STORE_UNAVAILABLE');
      expect(refused.error.message).toContain('database or disk is full');
      expect(refused.error.details).toEqual([
        { path: 'store', message: 'database or disk is full', code: 'SQLITE_FULL' },
      ]);

      const ready = await t.call('GET', '/readyz', { token: null });
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not_ready');
      expect(ready.body.checks.store).toEqual({ state: 'failing', reason: 'database or disk is full' });
      expect(ready.body.checks.inventory.state).toBe('ok');
      expect((await t.call('GET', '/healthz', { token: null })).status).toBe(200);

      // atomic: exactly the answered drains are stored, each whole, with its claim
      const plans = await t.store.listPlans({ limit: 1000 });
      expect(plans).toHaveLength(drained.length);
      for (const p of plans) expect(await t.store.listMoves(p.id)).toHaveLength(p.plan.moves.length);
      expect((await t.store.listMaintenance()).map((m) => m.host).sort()).toEqual([...drained].sort());

      // room again: the remembered failure holds until a write goes through
      rmSync(filler);
      expect((await t.call('GET', '/readyz', { token: null })).body.checks.store.state).toBe('failing');
      const next = inventory.hosts.find((h) => !drained.includes(h.name))!;
      const nextReply = await t.call('POST', `/plans/drain?host=${next.name}`);
      expect(nextReply.status, JSON.stringify(nextReply.body)).toBe(201);
      const again = await t.call('GET', '/readyz', { token: null });
      expect(again.body.checks.store).toEqual({ state: 'ok' });
      expect(again.status).toBe(200);
    },
  );
});
