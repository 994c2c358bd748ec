/** What only the SQLite store has: WAL journaling, durability modes, schema versions, memory stores. The port's behaviour is tested on both stores in store.test.ts. */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { ServiceStore } from '../../src/store/port.js';
import { samplePlan, tempDbPath } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
function fresh(): { path: string; store: ServiceStore } {
  const t = tempDbPath();
  const store = openStore(t.path);
  cleanups.push(async () => {
    try {
      await store.close();
    } catch {
      /* already closed */
    }
    t.cleanup();
  });
  return { path: t.path, store };
}
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('SQLite store', () => {
  it('uses WAL journaling and records the schema version', async () => {
    const { path, store } = fresh();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('keeps what a store with normal durability committed, across reopening', async () => {
    const { path, store } = fresh();
    await store.close();
    const normal = openStore(path, { durability: 'normal' });
    const a = await normal.createPlan({ plan: samplePlan(1), source: 'cli', at: 1 });
    await normal.close();
    const again = openStore(path);
    cleanups.push(() => again.close());
    expect(await again.getPlan(a.id)).not.toBeNull();
  });

  it('refuses a database written by a newer schema', async () => {
    const { path, store } = fresh();
    await store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openStore(path)).toThrow(/newer than this program knows/);
  });

  it('works in memory for quick tests', async () => {
    const s = openStore(':memory:');
    const a = await s.createPlan({ plan: samplePlan(2), source: 'cli', at: 1 });
    expect(await s.listMoves(a.id)).toHaveLength(2);
    await s.close();
  });
});
