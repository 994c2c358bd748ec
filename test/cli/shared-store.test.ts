/**
 * On a PostgreSQL store, shared by the service's replicas, only the leader executes: the commands
 * that would execute in the foreground (drain --execute, execute, maintenance start --execute,
 * maintenance resume) refuse with exit 2 and store nothing, while planning from the command line
 * still works against the same database.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConfiguredStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, postgresSkip } from '../support/postgres.js';

const drops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

async function sharedConfig(): Promise<{ file: string; url: string }> {
  const db = await freshDatabase();
  drops.push(db.drop);
  const file = join(mkdtempSync(join(tmpdir(), 'rb-shared-store-')), 'config.yaml');
  writeFileSync(file, `store:\n  url: ${JSON.stringify(db.url)}\n`);
  return { file, url: db.url };
}

describe.skipIf(postgresSkip)('commands on a PostgreSQL store', () => {
  it.each([
    ['drain --execute', (f: string) => ['drain', '--host', 'cell1-host03', '--execute', '--config', f]],
    ['execute', (f: string) => ['execute', 'a-plan-id', '--config', f]],
    [
      'maintenance start --execute',
      (f: string) => ['maintenance', 'start', '--host', 'cell1-host03', '--execute', '--config', f],
    ],
    ['maintenance resume', (f: string) => ['maintenance', 'resume', 'a-campaign-id', '--config', f]],
  ])('%s refuses (only the leader executes) and stores nothing', async (name, argv) => {
    const { file, url } = await sharedConfig();
    const r = await runCli(argv(file));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rebalancer ${name}: the store is PostgreSQL (store.url)`);
    expect(r.stderr).toContain('only their leader executes');
    const store = await openConfiguredStore({ url });
    try {
      expect(await store.listPlans()).toEqual([]);
      expect(await store.listCampaigns()).toEqual([]);
      expect(await store.listMaintenance()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('plans a drain from the command line without executing it', async () => {
    const { file } = await sharedConfig();
    const r = await runCli(['drain', '--host', 'cell1-host03', '--config', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.goal).toBe('drain');
    expect(plan.target).toEqual({ hosts: ['cell1-host03'] });
    expect(plan.moves.length).toBeGreaterThan(0);
  });
});
