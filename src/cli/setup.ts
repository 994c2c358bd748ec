/** What commands do before their own work: load the configuration, find the store they read. */
import { existsSync } from 'node:fs';
import { formatConfigErrors, loadConfig, type Config, type LoadOptions } from '../config/index.js';
import type { CommandIo } from './io.js';

/** Exit status of bad input: arguments, configuration, a missing store. */
export const BAD_INPUT = 2;

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
 * The path of the store a command reads, or BAD_INPUT after saying on stderr that there is none
 * (`absent` says what that means, e.g. "nothing was ever planned here").
 */
export function existingStorePath(
  command: string,
  io: CommandIo,
  config: Config,
  absent: string,
): string | typeof BAD_INPUT {
  const path = config.store.path;
  if (existsSync(path)) return path;
  io.stderr(`rebalancer ${command}: no store at ${path} (store.path): ${absent}\n`);
  return BAD_INPUT;
}
