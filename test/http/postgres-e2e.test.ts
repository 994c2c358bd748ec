/**
 * End to end over HTTP with the store on PostgreSQL (`store.url`): the service as `rebalancer
 * serve` wires it on the demo region, a drain executed to the end with its rows in the database,
 * the database turned read-only (503 STORE_UNAVAILABLE, readiness failing, nothing changed), and a
 * restarted service that finds its plans again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresSkip } from '../support/postgres.js';
import { type DemoService, startDemoService } from './support/demo-service.js';

const DEMO = JSON.stringify({ seed: 21, cells: 2, size: 12, timeScale: 500 });

describe.skipIf(postgresSkip)('demo service on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let demo: DemoService;
  let sql: pg.Client;
  let drained: { id: string; host: string; moves: number };
  const start = () => startDemoService({ REBALANCER_STORE__URL: db.url, REBALANCER_DEMO: DEMO });
  /** Sets the database's default read-only flag and closes every connection, so the service's next ones get it. */
  const readOnly = async (on: boolean) => {
    await sql.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} SET default_transaction_read_only = ${on}`);
    await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await sleep(200);
  };

  beforeAll(async () => {
    db = await freshDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    demo = await start();
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
    await sql?.end();
    await db?.drop();
  });

  it('drains a host: plan succeeded, every move succeeded, each state stored in PostgreSQL', async () => {
    const { call } = demo;
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; instances: number }>;
    const busy = hosts.find((h) => h.instances > 3)!;
    const created = await call('POST', `/plans/drain?host=${busy.name}&execute=true`);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    let plan = created.body;
    for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(plan.status); i++) {
      await sleep(100);
      plan = (await call('GET', `/plans/${id}`)).body;
    }
    expect(plan.status).toBe('succeeded');
    expect(plan.moves).toHaveLength(busy.instances);
    const rows = await sql.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM moves WHERE plan_id = $1 GROUP BY state',
      [id],
    );
    expect(rows.rows).toEqual([{ state: 'succeeded', n: busy.instances }]);
    const history = await sql.query<{ state: string }>(
      `SELECT state FROM move_history WHERE plan_id = $1 AND idx = 0 ORDER BY id`,
      [id],
    );
    expect(history.rows.map((r) => r.state)).toEqual(['pending', 'prechecking', 'migrating', 'verifying', 'succeeded']);
    const claim = await sql.query('SELECT host, plan_id FROM maintenance WHERE released_at IS NULL');
    expect(claim.rows).toEqual([{ host: busy.name, plan_id: id }]);
    const metrics = (await demo.call('GET', '/metrics')).body as string;
    expect(metrics).toContain(`rebalancer_moves_total{outcome="succeeded"} ${busy.instances}`);
    expect((await call('GET', '/readyz', { token: null })).body.checks.store).toEqual({ state: 'ok' });
    drained = { id, host: busy.name, moves: busy.instances };
  });

  it('a read-only database: a drain answers 503 STORE_UNAVAILABLE with the reason, readiness fails, nothing changes', async () => {
    const { call } = demo;
    const hosts = (await call('GET', '/hosts')).body.hosts as Array<{ name: string; instances: number }>;
    const other = hosts.find((h) => h.instances > 0 && h.name !== drained.host)!;
    const before = (await sql.query('SELECT count(*)::int AS n FROM plans')).rows[0].n;
    await readOnly(true);
    try {
      const refused = await call('POST', `/plans/drain?host=${other.name}`);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringMatching(
          /^the store cannot serve this: the database is read-only: cannot execute .+ in a read-only transaction$/,
        ),
      });
      const ready = await call('GET', '/readyz', { token: null });
      expect(ready.status).toBe(503);
      expect(ready.body.checks.store).toMatchObject({ state: 'failing', reason: expect.stringMatching(/read-only/) });
      expect((await sql.query('SELECT count(*)::int AS n FROM plans')).rows[0].n).toBe(before);
    } finally {
      await readOnly(false);
    }
    // the failed write is remembered until a write succeeds
    expect((await call('POST', `/plans/drain?host=${other.name}`)).status).toBe(201);
    expect((await call('GET', '/readyz', { token: null })).body.checks.store).toEqual({ state: 'ok' });
  });

  it('a restarted service on the same database finds its plans and claims', async () => {
    await demo.close();
    demo = await start();
    const plan = (await demo.call('GET', `/plans/${drained.id}`)).body;
    expect(plan).toMatchObject({ id: drained.id, status: 'succeeded' });
    expect(plan.moves).toHaveLength(drained.moves);
    const host = (await demo.call('GET', `/hosts/${drained.host}`)).body;
    expect(host.maintenance).toMatchObject({ reason: 'drain', planId: drained.id });
  });
});
