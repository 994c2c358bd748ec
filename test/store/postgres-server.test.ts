import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, postgresServer, postgresSkip } from '../support/postgres.js';

describe.skipIf(postgresSkip)('test PostgreSQL server', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  it('gives each caller a new empty database on one server, and drops it', async () => {
    const a = await freshDatabase();
    const b = await freshDatabase();
    drops.push(a.drop, b.drop);
    expect(a.url).not.toBe(b.url);
    const ca = new pg.Client({ connectionString: a.url });
    await ca.connect();
    await ca.query('CREATE TABLE t (x int)');
    await ca.query('INSERT INTO t VALUES (1)');
    expect((await ca.query('SELECT x FROM t')).rows).toEqual([{ x: 1 }]);
    const version = (await ca.query('SHOW server_version_num')).rows[0].server_version_num;
    expect(Number(version)).toBeGreaterThanOrEqual(130000);
    await ca.end();
    const cb = new pg.Client({ connectionString: b.url });
    await cb.connect();
    const tables = await cb.query("SELECT 1 FROM information_schema.tables WHERE table_name = 't'");
    expect(tables.rowCount).toBe(0);
    await cb.end();
    await a.drop();
    const info = await postgresServer();
    const admin = new pg.Client({ connectionString: info.adminUrl });
    await admin.connect();
    const names = (await admin.query('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
    await admin.end();
    expect(names).toContain(new URL(b.url).pathname.slice(1));
    expect(names).not.toContain(new URL(a.url).pathname.slice(1));
  });
});
