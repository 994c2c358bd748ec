/**
 * What commands do before their own work: load the configuration, find the store they read; and
 * read their arguments (./args.ts, kept apart so `rebalancer plan` loads neither configuration nor stores).
 */
import { formatConfigErrors, loadConfig, type Config, type LoadOptions } from '../config/index.js';
import { describeStore, storeExists, storeLocation } from '../store/open.js';
import { BAD_INPUT } from './args.js';
import type { CommandIo } from './io.js';

export { BAD_INPUT, HELP_SHOWN, commandArgs, usageError } from './args.js';

/**
 * The configuration for `rebalancer <command>`, or, when it has problems, BAD_INPUT after listing
 * every one on stderr with the file, variable or flag it came from.
 */
export function commandConfig(command: string, io: CommandIo, options: LoadOptions): Config | typeof BAD_INPUT {
  const loaded = loadConfig(options);
  if (loaded.ok) return loaded.config;
  io.stderr(`rebalancer ${command}: invalid configuration\n${formatConfigErrors(loaded.errors)}\n`);
  return BAD_INPUT;
}

/**
 * The configured store a command reads, when it exists (an SQLite file; a PostgreSQL database
 * always does), or BAD_INPUT after saying on stderr that there is none (`absent` says what that
 * means, e.g. "nothing was ever planned here").
 */
export function existingStore(
  command: string,
  io: CommandIo,
  config: Config,
  absent: string,
): Config['store'] | typeof BAD_INPUT {
  if (storeExists(config.store)) return config.store;
  io.stderr(`rebalancer ${command}: no store at ${describeStore(config.store)} (store.path): ${absent}\n`);
  return BAD_INPUT;
}

/**
 * BAD_INPUT after saying why when the configured store is shared by replicas (PostgreSQL): there
 * only the leader among the running services executes (src/ha/), so a command never runs plans or
 * campaigns beside it; null when the command may execute here (SQLite).
 */
export function refuseSharedExecution(command: string, io: CommandIo, config: Config): typeof BAD_INPUT | null {
  if (storeLocation(config.store).kind !== 'postgres') return null;
  io.stderr(
    `rebalancer ${command}: the store is PostgreSQL (store.url), shared by the service's replicas, and only their ` +
      'leader executes: plan here without executing, then execute through the service ' +
      '(POST /plans/<id>/execute, POST /maintenance/<id>/resume) on any replica\n',
  );
  return BAD_INPUT;
}
