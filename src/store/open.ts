/**
 * The one place the configured store is opened: `store.path` is an SQLite file
 * (src/store/sqlite.ts), `store.url` a PostgreSQL database (src/store/postgres/store.ts). The
 * configuration allows exactly one of them (src/config/schema.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/index.js';
import type { ServiceStore } from './port.js';
import { openPostgresStore, type OpenPostgresOptions } from './postgres/store.js';
import { openStore } from './sqlite.js';

export type StoreConfig = Config['store'];

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize?: number };

/** Which store the configuration names. */
export function storeLocation(config: StoreConfig): StoreLocation {
  if (config.url !== undefined) return { kind: 'postgres', url: config.url, poolSize: config.poolSize };
  if (config.path !== undefined) return { kind: 'sqlite', path: config.path };
  throw new Error('store: neither store.path nor store.url is set');
}

/** The store for people (banners, messages): the SQLite path, or the PostgreSQL URL without its password. */
export function describeStore(config: StoreConfig): string {
  const at = storeLocation(config);
  if (at.kind === 'sqlite') return at.path;
  const u = new URL(at.url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * True when the store may hold state already: an SQLite file that exists (`:memory:` never does);
 * a PostgreSQL database always (it is created by its administrator, not by the service).
 */
export function storeExists(config: StoreConfig): boolean {
  const at = storeLocation(config);
  return at.kind === 'postgres' || (at.path !== ':memory:' && existsSync(at.path));
}

export interface OpenStoreOptions {
  /** Called with errors of idle PostgreSQL connections (the server restarted); the pool replaces them. */
  onIdleError?: OpenPostgresOptions['onIdleError'];
}

/**
 * Opens (creating and migrating when needed) the configured store. For SQLite the file's
 * directory is created; for PostgreSQL the database must exist and the schema is migrated.
 */
export async function openConfiguredStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  const at = storeLocation(config);
  if (at.kind === 'postgres')
    return openPostgresStore(at.url, { poolSize: at.poolSize, onIdleError: options.onIdleError });
  if (at.path !== ':memory:') mkdirSync(dirname(at.path), { recursive: true });
  return openStore(at.path);
}
