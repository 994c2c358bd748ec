/**
 * What only the PostgreSQL store shows: several replicas (pools) on one database racing each
 * other, migrations run by replicas starting together, cursors under concurrent writers, and the
 * server's failures seen as store faults. The port's behaviour is in store.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { storeFault } from '../../src/store/faults.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { createPool, LOCKS } from '../../src/store/postgres/pool.js';
import { openPostgres, openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { freshDatabase, postgresServer, postgresSkip } from '../support/postgres.js';
import { samplePlan } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function database(): Promise<string> {
  const db = await freshDatabase();
  cleanups.push(db.drop);
  return db.url;
}

async function replica(url: string): Promise<PostgresStore> {
  const store = await openPostgresStore(url);
  cleanups.push(async () => await store.close());
  return store;
}

/** A plain connection to `url` for what the test itself does to the database. */
async function sql(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  cleanups.push(() => c.end());
  return c;
}

/** Resolves once `check` is true (polled), or fails after `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True once a backend of the database of `c` waits for an advisory lock. */
const waitsForAdvisoryLock = async (c: pg.Client) =>
  (
    await c.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
       AND wait_event = 'advisory'`,
    )
  ).rowCount! > 0;

const sleeping = async (c: pg.Client) =>
  (await c.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`))
    .rowCount! > 0;

describe.skipIf(postgresSkip)('PostgreSQL store', () => {
  it('replicas opening a new database together migrate it once', async () => {
    const url = await database();
    const stores = await Promise.all(Array.from({ length: 5 }, () => replica(url)));
    const c = await sql(url);
    const { rows } = await c.query('SELECT version, description FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m, k) => ({ version: k + 1, description: m.description })));
    await stores[0].createPlan({ id: 'p1', plan: samplePlan(1), source: 'api', at: 1 });
    expect((await stores[4].getPlan('p1'))?.goal).toBe('drain');
  });

  it('refuses a database written by a newer schema, naming both versions', async () => {
    const url = await database();
    await (await replica(url)).close();
    const c = await sql(url);
    const newer = POSTGRES_MIGRATIONS.length + 5;
    await c.query(`INSERT INTO schema_migrations (version, description) VALUES ($1, 'from the future')`, [newer]);
    await expect(openPostgresStore(url)).rejects.toThrow(
      `database schema version ${newer} is newer than this program knows (${POSTGRES_MIGRATIONS.length})`,
    );
  });

  it('upgrading a version-1 database counts the plans already stored, and the counts follow later writes', async () => {
    const url = await database();
    const pool = createPool(url);
    cleanups.push(() => pool.end());
    expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 1))).toBe(1);
    for (const [id, status, supersedes] of [
      ['a', 'succeeded', null],
      ['b', 'failed', null],
      ['c', 'running', 'b'],
    ])
      await pool.query(
        `INSERT INTO plans (id, goal, plan_json, status, source, created_at, updated_at, supersedes)
         VALUES ($1, 'drain', '{}', $2, 'api', 1, 1, $3)`,
        [id, status, supersedes],
      );
    const store = await replica(url);
    expect(await store.planTotals()).toMatchObject({
      byStatus: { succeeded: 1, failed: 1, running: 1, planned: 0 },
      replans: 1,
    });
    await store.setPlanStatus('c', 'succeeded', 2);
    await store.setPlanStatus('c', 'succeeded', 3);
    expect((await store.planTotals()).byStatus).toMatchObject({ succeeded: 2, running: 0 });
  });

  it('of two replicas racing createPlanClaiming for one host exactly one wins, 20 times', async () => {
    const url = await database();
    const [a, b] = [await replica(url), await replica(url)];
    for (let round = 0; round < 20; round++) {
      const host = `H${round}`;
      const drain = async (s: PostgresStore, id: string) =>
        await s.createPlanClaiming({ id, plan: samplePlan(1), source: 'api', at: round }, [host, 'Shared']);
      // the previous round's winner ended: its claim on Shared may be taken over
      if (round > 0) {
        const winner = (await a.listMaintenance()).find((m) => m.host === 'Shared')!.planId!;
        await a.setPlanStatus(winner, 'succeeded', round);
      }
      const results = await Promise.all([drain(a, `a${round}`), drain(b, `b${round}`)]);
      const won = results.filter((r) => r.ok);
      expect(won, `round ${round}`).toHaveLength(1);
      const winner = won[0].ok ? won[0].record.id : '';
      const loser = winner === `a${round}` ? `b${round}` : `a${round}`;
      expect(results.find((r) => !r.ok)).toEqual({
        ok: false,
        heldBy: [
          { host, since: round, reason: 'drain', planId: winner },
          { host: 'Shared', since: round, reason: 'drain', planId: winner },
        ],
      });
      expect(await b.getPlan(loser)).toBeNull();
      const claims = (await b.listMaintenance()).filter((m) => m.host === host || m.host === 'Shared');
      expect(claims.map((m) => m.planId)).toEqual([winner, winner]);
    }
  });

  it('of two replicas changing a plan from the same status exactly one does it, 20 times', async () => {
    const url = await database();
    const [a, b] = [await replica(url), await replica(url)];
    for (let round = 0; round < 20; round++) {
      const p = await a.createPlan({ plan: samplePlan(1), source: 'api', at: round });
      const [x, y] = await Promise.all([
        a.changePlanStatus(p.id, ['planned'], 'running', round),
        b.changePlanStatus(p.id, ['planned'], 'cancelled', round),
      ]);
      expect(
        [x, y].filter((was) => was === 'planned'),
        `round ${round}`,
      ).toHaveLength(1);
      const status = (await a.getPlan(p.id))!.status;
      expect(status).toBe(x === 'planned' ? 'running' : 'cancelled');
      // the other one saw the winner's change
      expect(x === 'planned' ? y : x).toBe(status);
    }
  });

  it('a drain racing the supersede of the plan holding its host never takes the host', async () => {
    const url = await database();
    const [a, b] = [await replica(url), await replica(url)];
    for (let round = 0; round < 20; round++) {
      const host = `H${round}`;
      const old = `old${round}`;
      const next = `next${round}`;
      await a.createPlanClaiming({ id: old, plan: samplePlan(1), source: 'api', at: 1 }, [host]);
      await a.setPlanStatus(old, 'running', 2);
      await a.createPlan({ id: next, plan: samplePlan(1), source: 'api', supersedes: old, at: 3 });
      const [, rival] = await Promise.all([
        a.supersede(old, next, 4),
        b.createPlanClaiming({ id: `rival${round}`, plan: samplePlan(1), source: 'api', at: 4 }, [host]),
      ]);
      expect(rival.ok, `round ${round}`).toBe(false);
      expect((await b.listMaintenance()).find((m) => m.host === host)?.planId).toBe(next);
      expect(await b.getPlan(`rival${round}`)).toBeNull();
    }
  });

  it('an event committed after a later-numbered one is not skipped by a reader paging after ids', async () => {
    const url = await database();
    const [a, b] = [await replica(url), await replica(url)];
    const plan = await a.createPlan({ plan: samplePlan(0), source: 'api', at: 1 });
    const c = await sql(url);
    // the 'slow' event's transaction holds its id half a second before it commits
    await c.query(`CREATE FUNCTION slow_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'slow' THEN PERFORM pg_sleep(0.5); END IF; RETURN NULL; END $$`);
    await c.query('CREATE TRIGGER slow_event AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION slow_event()');
    const event = (type: string) => ({ planId: plan.id, moveIndex: null, type, data: null, at: 2 });
    const slow = a.appendEvent(event('slow'));
    await until(() => sleeping(c), 'the slow append');
    let fastDone = false;
    const fast = b.appendEvent(event('fast')).finally(() => {
      fastDone = true;
    });
    await until(async () => fastDone || (await waitsForAdvisoryLock(c)), 'the fast append to commit or wait');
    const seen = (await b.listEvents({ afterId: 0 })).map((e) => e.id);
    const cursor = Math.max(0, ...seen);
    const ids = await Promise.all([slow, fast]);
    seen.push(...(await b.listEvents({ afterId: cursor })).map((e) => e.id));
    expect(seen.sort((x, y) => x - y)).toEqual(ids.sort((x, y) => x - y));
  });

  it('a move ending committed after a later-numbered one is not skipped by a reader of endings', async () => {
    const url = await database();
    const [a, b] = [await replica(url), await replica(url)];
    await a.createPlan({ id: 'slow', plan: samplePlan(1), source: 'api', at: 1 });
    await a.createPlan({ id: 'fast', plan: samplePlan(1), source: 'api', at: 1 });
    const c = await sql(url);
    await c.query(`CREATE FUNCTION slow_ending() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.plan_id = 'slow' AND NEW.state = 'failed' THEN PERFORM pg_sleep(0.5); END IF; RETURN NULL; END $$`);
    await c.query(
      'CREATE TRIGGER slow_ending AFTER INSERT ON move_history FOR EACH ROW EXECUTE FUNCTION slow_ending()',
    );
    const slow = a.updateMove('slow', 0, { state: 'failed' }, 2);
    await until(() => sleeping(c), 'the slow ending');
    let fastDone = false;
    const fast = b.updateMove('fast', 0, { state: 'succeeded' }, 2).finally(() => {
      fastDone = true;
    });
    await until(async () => fastDone || (await waitsForAdvisoryLock(c)), 'the fast ending to commit or wait');
    const seen = await b.listMoveEndings(0, 10);
    const cursor = Math.max(0, ...seen.map((e) => e.id));
    await Promise.all([slow, fast]);
    seen.push(...(await b.listMoveEndings(cursor, 10)));
    expect(seen.map((e) => e.record.planId).sort()).toEqual(['fast', 'slow']);
  });

  it('a statement that waits past the statement timeout is cancelled by the server: a store fault, nothing written', async () => {
    const url = await database();
    const store = await openPostgresStore(url, { statementTimeoutMs: 300 });
    cleanups.push(async () => await store.close());
    const c = await sql(url);
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS.claims]);
    const err = await store.claimMaintenance(['HostA'], { reason: 'manual', planId: null, at: 1 }).catch((e) => e);
    await c.query('ROLLBACK');
    expect(storeFault(err)).toEqual({
      code: 'PG_57014',
      reason: 'the database did not finish in time: canceling statement due to statement timeout',
    });
    expect(await store.listMaintenance()).toEqual([]);
    expect((await store.claimMaintenance(['HostA'], { reason: 'manual', planId: null, at: 2 })).ok).toBe(true);
  });

  it('an unreachable server is a store fault naming the database', async () => {
    const info = await postgresServer();
    const free = await freePort();
    const err = await openPostgresStore(`postgres://postgres@${info.host}:${free}/nothing`).catch((e) => e);
    expect(storeFault(err)).toEqual({
      code: 'ECONNREFUSED',
      reason: expect.stringMatching(/^the database is unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
  });

  it('a read-only database fails writes as a store fault, remembered until a write succeeds', async () => {
    const url = await database();
    const { store, pool } = await openPostgres(url);
    cleanups.push(async () => await store.close());
    await store.createPlan({ id: 'p1', plan: samplePlan(1), source: 'api', at: 1 });
    const c = await sql(url);
    const name = new URL(url).pathname.slice(1);
    await c.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    // pooled connections keep their settings: new ones read the database's
    await terminateOthers(c);
    await until(async () => pool.totalCount === 0, 'the pool to drop its connections');
    const err = await store.setPlanStatus('p1', 'running', 2).catch((e) => e);
    expect(storeFault(err)).toEqual({
      code: 'PG_25006',
      reason: 'the database is read-only: cannot execute UPDATE in a read-only transaction',
    });
    expect(await store.lastWriteFault()).toMatchObject({ code: 'PG_25006' });
    await expect(store.probeWrite(3)).rejects.toThrow(/read-only transaction/);
    expect((await store.getPlan('p1'))!.status).toBe('planned');
    await c.query(`ALTER DATABASE ${name} SET default_transaction_read_only = off`);
    await terminateOthers(c);
    await until(async () => pool.totalCount === 0, 'the pool to drop its connections');
    await store.setPlanStatus('p1', 'running', 4);
    expect(await store.lastWriteFault()).toBeNull();
  });

  it('a connection the server terminates is a store fault, and the next call gets a new connection', async () => {
    const url = await database();
    const idleErrors: Error[] = [];
    const { store, pool } = await openPostgres(url, { onIdleError: (e) => idleErrors.push(e) });
    cleanups.push(async () => await store.close());
    const victim = await sql(url);
    const pid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    victim.on('error', () => undefined);
    const running = victim.query('SELECT pg_sleep(30)').catch((e) => e);
    const c = await sql(url);
    await until(() => sleeping(c), 'the victim to sleep');
    await c.query('SELECT pg_terminate_backend($1)', [pid]);
    const fault = storeFault(await running);
    expect(fault).toMatchObject({ code: 'PG_57P01' });
    expect(fault!.reason).toMatch(/^the database is unreachable: terminating connection due to administrator command/);
    // the store's own connections terminated while idle are replaced
    await store.probeWrite(1);
    expect(pool.idleCount).toBeGreaterThan(0);
    await terminateOthers(c);
    await until(async () => pool.totalCount === 0, 'the pool to drop its connections');
    expect(idleErrors[0]?.message).toMatch(/terminating connection due to administrator command/);
    await store.probeWrite(2);
    expect(await store.lastWriteFault()).toBeNull();
  });
});

describe('PostgreSQL failures as store faults', () => {
  const serverError = (code: string, message: string) =>
    Object.assign(new pg.DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });
  it.each([
    [
      '53100',
      'could not extend file: No space left on device',
      'the database cannot take the write: could not extend file: No space left on device',
    ],
    ['57P03', 'the database system is starting up', 'the database is unreachable: the database system is starting up'],
    ['08006', 'connection failure', 'the database is unreachable: connection failure'],
    ['53300', 'sorry, too many clients already', 'the database is unreachable: sorry, too many clients already'],
  ])('SQLSTATE %s is unavailable-now', (code, message, reason) => {
    expect(storeFault(new Error('wrapped', { cause: serverError(code, message) }))).toEqual({
      code: `PG_${code}`,
      reason,
    });
  });
  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['42P01', 'relation "plans" does not exist'],
  ])('SQLSTATE %s is a bug, not a fault', (code, message) => {
    expect(storeFault(serverError(code, message))).toBeNull();
  });
  it('a closed store is a bug, not a fault', () => {
    expect(storeFault(new Error('Cannot use a pool after calling end on the pool'))).toBeNull();
  });
});

async function terminateOthers(c: pg.Client): Promise<void> {
  await c.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
