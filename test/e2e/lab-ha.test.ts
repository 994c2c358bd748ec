/**
 * Two replicas (`rebalancer serve`) on one PostgreSQL database and the real libvirt lab: the
 * leader executes a drain of lab-a and is SIGKILLed while it migrates `big`; the standby takes the
 * lease, recovers the plan by asking the hosts where each VM is and whether the job still runs,
 * and finishes the drain. Every VM ends on exactly one host, each moved once. Skipped without the
 * lab (and PostgreSQL) unless REBALANCER_REQUIRE_REAL is set.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLibvirtHypervisor } from '../../executor/hypervisor/libvirt/index.js';
import { holdLab, labSkip, labVm, resetVms } from '../support/lab.js';
import { postgresSkip } from '../support/postgres.js';
import { replicasOnFreshDatabase, role, until } from '../ha/support.js';
import { incomingMigrations, LAB_GROUPS, labHosts } from './support.js';

const MIB = 1024 * 1024;
const VMS = ['small1', 'small2', 'disky', 'big'];

describe.skipIf(labSkip || postgresSkip)('replicas on the real lab: leader SIGKILLed mid-migration', () => {
  const lab = holdLab();
  const set = replicasOnFreshDatabase();

  it('the standby takes over, reconciles with the hosts and finishes the drain: every VM on one host, moved once', async () => {
    await resetVms();
    const config = join(mkdtempSync(join(tmpdir(), 'rb-lab-ha-')), 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        store: { url: set.url },
        hypervisors: labHosts(lab()),
        serverGroups: LAB_GROUPS,
        // big (384 MiB of random data) migrates for 12 s or more
        executor: { bandwidthMiBps: 32, pollIntervalMs: 500 },
        ha: { leaseSeconds: 3, pollSeconds: 0.5 },
      }),
    );
    const start = (name: string) => set.start(name, { REBALANCER_CONFIG: config });
    const a = await start('a');
    await until('a to lead', 20_000, async () => (await role(a)) === 'leader');
    const b = await start('b');
    expect(await role(b)).toBe('standby');
    const incomingBefore = incomingMigrations(lab(), 'big');

    const created = await b.call('POST', '/plans/drain?host=lab-a&execute=true');
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await until('big migrating with data copied', 120_000, async () => {
      const { rows } = await set.sql.query<{ state: string; processed: string | null }>(
        `SELECT m.state, (SELECT max(p.processed) FROM progress p WHERE p.plan_id = m.plan_id AND p.idx = m.idx) AS processed
           FROM moves m WHERE m.plan_id = $1 AND m.move_json::json->>'name' = 'big'`,
        [id],
      );
      return rows[0]?.state === 'migrating' && Number(rows[0].processed ?? 0) > 64 * MIB;
    });
    a.child.kill('SIGKILL');
    const killed = Date.now();
    await a.exited;
    await until('b to lead', 20_000, async () => (await role(b)) === 'leader');
    console.info(`[e2e] take-over after SIGKILL of the leader: ${Date.now() - killed} ms (lease 3 s, poll 0.5 s)`);

    const final = await until('the drain to end', 180_000, async () => {
      let p = (await b.call('GET', `/plans/${id}`)).body;
      while (p.supersededBy) p = (await b.call('GET', `/plans/${p.supersededBy}`)).body;
      return ['succeeded', 'failed', 'cancelled'].includes(p.status) ? p : null;
    });
    expect(final.status, JSON.stringify(final.moves)).toBe('succeeded');

    const { rows: chain } = await set.sql.query<{ id: string }>(
      `WITH RECURSIVE c AS (SELECT id, superseded_by FROM plans WHERE id = $1
         UNION ALL SELECT p.id, p.superseded_by FROM plans p JOIN c ON p.id = c.superseded_by) SELECT id FROM c`,
      [id],
    );
    const { rows: moves } = await set.sql.query<{ name: string; state: string; to: string; attempts: number }>(
      `SELECT move_json::json->>'name' AS name, move_json::json->>'to' AS to, state, attempts
         FROM moves WHERE plan_id = ANY($1)`,
      [chain.map((c) => c.id)],
    );
    const { rows: events } = await set.sql.query<{ type: string }>(
      `SELECT e.type FROM events e JOIN moves m ON m.plan_id = e.plan_id AND m.idx = e.move_idx
        WHERE e.plan_id = $1 AND m.move_json::json->>'name' = 'big' ORDER BY e.id`,
      [id],
    );
    console.info(`[e2e] big's move events: ${events.map((e) => e.type).join(', ')}`);
    const hv = createLibvirtHypervisor({ hosts: labHosts(lab()) });
    try {
      for (const name of VMS) {
        const done = moves.filter((m) => m.name === name && m.state === 'succeeded');
        expect(
          done.map((m) => m.name),
          `${name} succeeded exactly once`,
        ).toEqual([name]);
        const where = await hv.locate(
          labVm(name).uuid,
          lab().hosts.map((h) => h.name),
        );
        expect(where, name).toEqual({ runningOn: [done[0].to], definedOn: [done[0].to] });
      }
    } finally {
      await hv.close();
    }
    const bigAttempts = moves.filter((m) => m.name === 'big').reduce((n, m) => n + m.attempts, 0);
    // one QEMU `-incoming` start per migration attempt: a migration that completed was not repeated
    expect(incomingMigrations(lab(), 'big') - incomingBefore).toBe(bigAttempts);
    expect(events.map((e) => e.type)).toContain('move.admitted');
  }, 420_000);
});
