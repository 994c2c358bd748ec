/**
 * `rebalancer cancel <plan id> [--config FILE]`: cancels a stored plan. A planned plan ends at
 * once; a running one (in this or another process: the service, `rebalancer execute`) is marked
 * `cancelling`, its executor starts no further move and lets running migrations finish.
 * Exit status: 0 cancelled or cancelling; 1 the plan had already ended; 2 bad input.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExecutorStore } from '../../../executor/store.js';
import { latestOfChain } from '../../http/reverify.js';
import { formatConfigErrors, loadConfig } from '../../config/index.js';
import { openStore } from '../../store/sqlite.js';
import type { CommandIo } from '../io.js';

const HELP = `usage: rebalancer cancel <plan id> [--config FILE]

Cancels a stored plan: a planned plan is cancelled at once; a running plan stops starting
migrations and ends "cancelled" once the migrations in flight finish (VMs are never left half-moved).

options:
  --config FILE   configuration file (for store.path)
  -h, --help      this help
`;

function cancel(store: ExecutorStore, id: string, io: CommandIo): number {
  const rec = latestOfChain(store, id);
  if (!rec) {
    io.stderr(`rebalancer cancel: no plan with id "${id}"\n`);
    return 2;
  }
  const now = Date.now();
  if (rec.status === 'planned') {
    store.setPlanStatus(rec.id, 'cancelled', now);
    io.stdout(`plan ${rec.id}: cancelled\n`);
    return 0;
  }
  if (rec.status === 'running' || rec.status === 'cancelling') {
    store.setPlanStatus(rec.id, 'cancelling', now);
    store.appendEvent({
      planId: rec.id,
      moveIndex: null,
      type: 'plan.cancel',
      data: { mode: 'wait', by: 'cli' },
      at: now,
    });
    io.stdout(`plan ${rec.id}: cancelling (no new migration starts; running ones finish)\n`);
    return 0;
  }
  io.stderr(`rebalancer cancel: plan ${rec.id} already ended (${rec.status})\n`);
  return 1;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let values: { config?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    }));
  } catch (err) {
    io.stderr(`rebalancer cancel: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`rebalancer cancel: expected one plan id, got ${positionals.length}\n\n${HELP}`);
    return 2;
  }
  const loaded = loadConfig({ path: values.config });
  if (!loaded.ok) {
    io.stderr(`rebalancer cancel: invalid configuration\n${formatConfigErrors(loaded.errors)}\n`);
    return 2;
  }
  const path = loaded.config.store.path;
  if (!existsSync(path)) {
    io.stderr(`rebalancer cancel: no store at ${path} (store.path): nothing was ever planned here\n`);
    return 2;
  }
  const store = openStore(path);
  try {
    return cancel(store, positionals[0], io);
  } finally {
    store.close();
  }
}
