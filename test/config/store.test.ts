import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { describeStore, storeLocation } from '../../src/store/open.js';

function tmpFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rebalancer-config-')), name);
  writeFileSync(file, text);
  return file;
}

const URL = 'postgres://rebalancer:s3cret@db.example:5432/rebalancer';

describe('store selection', () => {
  it('is the default SQLite file when neither store.path nor store.url is set', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok && r.config.store).toEqual({ path: 'data/rebalancer.sqlite' });
    expect(r.ok && storeLocation(r.config.store)).toEqual({ kind: 'sqlite', path: 'data/rebalancer.sqlite' });
  });

  it('is PostgreSQL with store.url from the file or REBALANCER_STORE__URL, without the default path', () => {
    const file = tmpFile('c.yaml', `store:\n  url: ${URL}\n  poolSize: 4\n`);
    const fromFile = loadConfig({ path: file, env: {} });
    expect(fromFile.ok && fromFile.config.store).toEqual({ url: URL, poolSize: 4 });
    expect(fromFile.ok && storeLocation(fromFile.config.store)).toEqual({ kind: 'postgres', url: URL, poolSize: 4 });
    const fromEnv = loadConfig({ env: { REBALANCER_STORE__URL: URL, STATE_DIRECTORY: '/var/lib/rebalancer' } });
    expect(fromEnv.ok && fromEnv.config.store).toEqual({ url: URL });
  });

  it('refuses store.path and store.url together, naming both', () => {
    const file = tmpFile('c.yaml', 'store:\n  path: /var/lib/x.sqlite\n');
    const r = loadConfig({ path: file, env: { REBALANCER_STORE__URL: URL } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      {
        path: 'store',
        message:
          'store.path (SQLite) and store.url (PostgreSQL) are both set: set store.path for an SQLite file or store.url for PostgreSQL, not both',
        source: file,
      },
    ]);
  });

  it('refuses a URL that is not PostgreSQL without echoing it, and a pool size without a URL', () => {
    const r = loadConfig({ env: { REBALANCER_STORE__URL: 'mysql://root:hunter2@db/x' } });
    expect(!r.ok && r.errors).toEqual([
      {
        path: 'store.url',
        message: 'expected a postgres://user:password@host:port/database URL',
        source: 'REBALANCER_STORE__URL',
      },
    ]);
    const sized = loadConfig({ env: { REBALANCER_STORE__POOL_SIZE: '4' } });
    expect(!sized.ok && sized.errors).toEqual([
      {
        path: 'store.poolSize',
        message: 'store.poolSize applies to PostgreSQL: set store.url, got 4',
        source: 'REBALANCER_STORE__POOL_SIZE',
      },
    ]);
  });

  it('describes a PostgreSQL store without its password', () => {
    expect(describeStore({ url: URL })).toBe('postgres://rebalancer:***@db.example:5432/rebalancer');
    expect(describeStore({ url: 'postgresql://db.example/x?sslmode=require' })).toBe(
      'postgresql://db.example/x?sslmode=require',
    );
    expect(describeStore({ path: '/var/lib/x.sqlite' })).toBe('/var/lib/x.sqlite');
  });
});
