import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/sqlite.js';
import { tempDbPath } from './helpers.js';
import { planOf } from '../support/plans.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A connection whose first read of `user_version` lets `other` finish migrating the same file
 * right after: the interleaving of two processes opening a brand-new file at once.
 */
function racing(path: string, other: Database.Database): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  cleanups.push(() => db.close());
  let first = true;
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'pragma') return Reflect.get(target, prop, target);
      return (source: string, options?: { simple?: boolean }) => {
        const result = target.pragma(source, options);
        if (first && source === 'user_version') {
          first = false;
          migrate(other);
        }
        return result;
      };
    },
  });
}

describe('migrations', () => {
  it('a second connection that saw version 0 while the first was creating the tables does not create them again', () => {
    const t = tempDbPath();
    cleanups.push(t.cleanup);
    const first = new Database(t.path);
    cleanups.push(() => first.close());
    const second = racing(t.path, first);
    expect(() => migrate(second)).not.toThrow();
    expect(second.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = first
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'plans'")
      .all();
    expect(tables).toHaveLength(1);
  });

  it('stores opened on the same new file one after another share one schema', async () => {
    const t = tempDbPath();
    cleanups.push(t.cleanup);
    const stores = [openStore(t.path), openStore(t.path), openStore(t.path)];
    cleanups.push(async () => {
      for (const s of stores) await s.close();
    });
    await stores[0].createPlan({
      id: 'p1',
      plan: planOf([], true, { goal: 'balance', target: {} }),
      source: 'api',
      at: 1,
    });
    expect((await stores[2].getPlan('p1'))?.goal).toBe('balance');
  });

  it('upgrading a version-1 file counts the plans already stored, and the counts follow later writes', async () => {
    const t = tempDbPath();
    cleanups.push(t.cleanup);
    const db = new Database(t.path);
    db.exec(MIGRATIONS[0]);
    db.pragma('user_version = 1');
    const insert = db.prepare(
      `INSERT INTO plans (id, goal, plan_json, status, source, created_at, updated_at, supersedes)
       VALUES (?, 'drain', '{}', ?, 'api', 1, 1, ?)`,
    );
    insert.run('a', 'succeeded', null);
    insert.run('b', 'failed', null);
    insert.run('c', 'running', 'b');
    db.close();
    const store = openStore(t.path);
    cleanups.push(async () => await store.close());
    expect(await store.planTotals()).toMatchObject({
      byStatus: { succeeded: 1, failed: 1, running: 1, planned: 0 },
      replans: 1,
    });
    await store.setPlanStatus('c', 'succeeded', 2);
    await store.setPlanStatus('c', 'succeeded', 3);
    expect((await store.planTotals()).byStatus).toMatchObject({ succeeded: 2, running: 0 });
  });
});
