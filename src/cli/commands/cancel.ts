/**
 * `rebalancer cancel <plan id> [--config FILE]`: cancels a stored plan. A planned plan ends at
 * once; a running one (in this or another process: the service, `rebalancer execute`) is marked
 * `cancelling`, its executor starts no further move and lets running migrations finish.
 * Exit status: 0 cancelled or cancelling; 1 the plan had already ended; 2 bad input.
 */
import type { PlanLifecycle } from '../../orchestrate/lifecycle.js';
import { openConfiguredStore } from '../../store/open.js';
import type { CommandIo } from '../io.js';
import { commandArgs, commandConfig, existingStore } from '../setup.js';
import { readingLifecycle } from '../stored.js';

const HELP = `usage: rebalancer cancel <plan id> [--config FILE]

Cancels a stored plan: a planned plan is cancelled at once; a running plan stops starting
migrations and ends "cancelled" once the migrations in flight finish (VMs are never left half-moved).

options:
  --config FILE   configuration file (for store.path)
  -h, --help      this help
`;

async function cancel(lifecycle: PlanLifecycle, id: string, io: CommandIo): Promise<number> {
  const asked = await lifecycle.cancel(id, 'wait');
  if (!asked.ok && asked.reason === 'not-found') {
    io.stderr(`rebalancer cancel: no plan with id "${id}"\n`);
    return 2;
  }
  if (!asked.ok) {
    io.stderr(`rebalancer cancel: plan ${asked.record.id} already ended (${asked.status})\n`);
    return 1;
  }
  if (asked.status === 'cancelled') io.stdout(`plan ${asked.record.id}: cancelled\n`);
  else io.stdout(`plan ${asked.record.id}: cancelling (no new migration starts; running ones finish)\n`);
  return 0;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = commandArgs('cancel', io, HELP, argv, { config: { type: 'string' } });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  if (positionals.length !== 1) {
    io.stderr(`rebalancer cancel: expected one plan id, got ${positionals.length}\n\n${HELP}`);
    return 2;
  }
  const config = commandConfig('cancel', io, { path: values.config });
  if (typeof config === 'number') return config;
  const at = existingStore('cancel', io, config, 'nothing was ever planned here');
  if (typeof at === 'number') return at;
  const store = await openConfiguredStore(at);
  try {
    // Plans, stores and cancels only: a plan running in another process is asked to stop
    // through the store, which its executor polls.
    return await cancel(readingLifecycle(store, config), positionals[0], io);
  } finally {
    await store.close();
  }
}
