import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSharedDemoWorld, type SharedDemoWorld } from '../../src/demo/shared-world.js';
import { migratePostgres } from '../../src/store/postgres/migrations.js';
import { freshDatabase, postgresSkip } from '../support/postgres.js';

let db: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
const worlds: SharedDemoWorld[] = [];

beforeAll(async () => {
  if (postgresSkip) return;
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migratePostgres(pool);
});
afterAll(async () => {
  for (const w of worlds) await w.cluster.close();
  await pool?.end();
  await db?.drop();
});

const region = { seed: 11, cells: 1, size: 4 };

async function open(mayWrite: () => Promise<boolean> = async () => true) {
  const w = await openSharedDemoWorld({ region, timeScale: 600, db: pool, mayWrite, saveEveryMs: 100_000 });
  worlds.push(w);
  return w;
}

/** Migrates a running VM (not one of `skip`) to another host of the region; returns it and where it went. */
async function moveOne(w: SharedDemoWorld, skip: string[] = []) {
  const vm = w.inventory.instances.find((i) => !skip.includes(i.id) && w.cluster.whereIs(i.id)?.state === 'running')!;
  const from = w.cluster.whereIs(vm.id)!.host;
  const to = w.hosts.find((h) => h.name !== from)!.name;
  await w.cluster.migrate({ domainId: vm.id, domainName: vm.name, from, to, mode: 'live' });
  return { id: vm.id, to };
}

describe.skipIf(postgresSkip)('demo world shared through PostgreSQL', () => {
  it("replicas share one world: the leader's moves are stored before they settle, a standby follows on reload, the next leader continues from them", async () => {
    const a = await open();
    const b = await open();
    expect([a.restored, b.restored]).toEqual([false, true]);
    // one clock for every replica (the stored anchor)
    expect(Math.abs(a.clock.now() - b.clock.now())).toBeLessThan(600 * 200);
    await a.lead(true);
    const moved = await moveOne(a);
    expect(b.cluster.whereIs(moved.id)?.host).not.toBe(moved.to);
    await b.reload();
    expect(b.cluster.whereIs(moved.id)?.host).toBe(moved.to);

    // hand-over: the old leader stops writing, the new one continues from the stored world
    await a.lead(false);
    await b.lead(true);
    const second = await moveOne(b, [moved.id]);
    await a.reload();
    expect(a.cluster.whereIs(second.id)?.host).toBe(second.to);
    expect(a.cluster.whereIs(moved.id)?.host).toBe(moved.to);
    // a standby's own changes are never written
    await moveOne(a, [moved.id, second.id]);
    const c = await open();
    expect(c.cluster.placements()).toEqual(b.cluster.placements());
  });

  it('a leader whose lease is not confirmed writes nothing', async () => {
    let confirmed = true;
    const a = await open(async () => confirmed);
    await a.lead(true);
    confirmed = false;
    const moved = await moveOne(a);
    const b = await open();
    expect(b.cluster.whereIs(moved.id)?.host).not.toBe(moved.to);
  });
});
