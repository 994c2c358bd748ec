/**
 * The store implementations the shared store tests run against: SQLite on a temp file and
 * PostgreSQL on a fresh database of the run's test server. Each `open()` gives a new empty store,
 * a way to reopen it (a restart) and a second connection to it (another process or replica).
 */
import { afterEach } from 'vitest';
import type { ServiceStore } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { openStore } from '../../src/store/sqlite.js';
import { freshDatabase, postgresSkip } from '../support/postgres.js';
import { tempDbPath } from './helpers.js';

export type AnyStore = ServiceStore;

export interface OpenedStore {
  store: AnyStore;
  /** Another store on the same data (opened now, closed after the test). */
  another(): Promise<AnyStore>;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  open(): Promise<OpenedStore>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function closing(store: AnyStore): Promise<AnyStore> {
  cleanups.push(async () => {
    try {
      await store.close();
    } catch {
      /* already closed */
    }
  });
  return store;
}

const sqliteStore = (path: string) => openStore(path);

export const STORE_KINDS: StoreKind[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const t = tempDbPath();
      cleanups.push(t.cleanup);
      const store = await closing(sqliteStore(t.path));
      return { store, another: () => closing(sqliteStore(t.path)) };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip,
    async open() {
      const db = await freshDatabase();
      cleanups.push(db.drop);
      const store = await closing(await openPostgresStore(db.url));
      return { store, another: async () => closing(await openPostgresStore(db.url)) };
    },
  },
];

/** Registers `close()` of a store a test opened itself. */
export const closeAfterTest = closing;

export type { ServiceStore };
