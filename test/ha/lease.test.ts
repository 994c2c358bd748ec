import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLease } from '../../src/ha/lease.js';
import { migratePostgres } from '../../src/store/postgres/migrations.js';
import { createLeadership, type Leadership, type Role } from '../../src/ha/leadership.js';
import { freshDatabase, postgresSkip } from '../support/postgres.js';

let db: { url: string; drop(): Promise<void> };
const pools: pg.Pool[] = [];
const pool = () => {
  const p = new pg.Pool({ connectionString: db.url, max: 2 });
  p.on('error', () => undefined);
  pools.push(p);
  return p;
};

beforeAll(async () => {
  if (postgresSkip) return;
  db = await freshDatabase();
  await migratePostgres(pool());
});
afterAll(async () => {
  for (const p of pools) await p.end().catch(() => undefined);
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(postgresSkip)('leader lease (PostgreSQL)', () => {
  it('one holder at a time; a new holder gets a higher token and the old term can neither renew nor pass the fence', async () => {
    const p = pool();
    const a = createLease({ db: p, name: 'one', holder: 'a', leaseSeconds: 30 });
    const b = createLease({ db: p, name: 'one', holder: 'b', leaseSeconds: 30 });
    const ta = await a.acquire();
    expect(ta).toEqual({ holder: 'a', token: 1 });
    expect(await b.acquire()).toBeNull();
    expect(await a.renew(ta!)).toBe(true);
    expect(await a.holds(ta!, 1000)).toBe(true);
    // more margin than the lease has left: the fence refuses
    expect(await a.holds(ta!, 31_000)).toBe(false);
    await a.release(ta!);
    const tb = await b.acquire();
    expect(tb).toEqual({ holder: 'b', token: 2 });
    expect(await a.renew(ta!)).toBe(false);
    expect(await a.holds(ta!, 0)).toBe(false);
    expect(await b.holds(tb!, 1000)).toBe(true);
    expect((await b.current())?.holder).toBe('b');
  });

  it('a lease that was not renewed expires by the database clock and is taken with a new token', async () => {
    const p = pool();
    const a = createLease({ db: p, name: 'expiry', holder: 'a', leaseSeconds: 0.5 });
    const b = createLease({ db: p, name: 'expiry', holder: 'b', leaseSeconds: 0.5 });
    const ta = await a.acquire();
    expect(await b.acquire()).toBeNull();
    await sleep(700);
    // lapsed: never revived by a renewal, even with nobody else holding it
    expect(await a.renew(ta!)).toBe(false);
    const tb = await b.acquire();
    expect(tb?.token).toBe(ta!.token + 1);
  });

  it('of replicas racing for a free lease exactly one wins each time', async () => {
    for (let round = 0; round < 10; round++) {
      const leases = Array.from({ length: 5 }, (_, i) =>
        createLease({ db: pool(), name: `race-${round}`, holder: `r${i}`, leaseSeconds: 30 }),
      );
      const got = await Promise.all(leases.map((l) => l.acquire()));
      expect(got.filter((t) => t !== null)).toHaveLength(1);
    }
    for (const p of pools.splice(1)) await p.end();
  });
});

describe.skipIf(postgresSkip)('leadership among replicas (PostgreSQL)', () => {
  it('one leader; when it loses the database it steps down before another replica is elected, which then leads', async () => {
    const events: string[] = [];
    const replica = (name: string, p: pg.Pool) =>
      createLeadership({
        lease: createLease({ db: p, name: 'lead', holder: name, leaseSeconds: 1.5 }),
        leaseSeconds: 1.5,
        pollSeconds: 0.2,
        onElected: async () => void events.push(`${name} elected`),
        onDemoted: async () => void events.push(`${name} demoted`),
      });
    const pa = pool();
    const a = replica('a', pa);
    const b = replica('b', pool());
    await a.start();
    await b.start();
    expect([a.role(), b.role()]).toEqual(['leader', 'standby']);
    await a.assertLeader();
    await expect(b.assertLeader()).rejects.toMatchObject({ code: 'NOT_LEADER' });
    // sample both roles while the leader's database connection is gone
    const roles: Role[][] = [];
    const sampler = setInterval(() => roles.push([a.role(), b.role()]), 20);
    await pa.end();
    const deadline = Date.now() + 5000;
    while (b.role() !== 'leader' && Date.now() < deadline) await sleep(50);
    clearInterval(sampler);
    expect(b.role()).toBe('leader');
    expect(a.role()).toBe('standby');
    expect(roles.every(([x, y]) => !(x === 'leader' && y === 'leader'))).toBe(true);
    expect(events).toEqual(['a elected', 'a demoted', 'b elected']);
    await b.assertLeader();
    expect(a.changes()).toBe(2);
    await a.stop();
    await stopAndHandOver(b, replica('c', pool()), events);
  });
});

/** A clean stop releases the lease: the next replica is elected on its first poll. */
async function stopAndHandOver(leader: Leadership, next: Leadership, events: string[]) {
  await leader.stop();
  await next.start();
  expect(next.role()).toBe('leader');
  expect(events.slice(-2)).toEqual(['b demoted', 'c elected']);
  await next.stop();
}
