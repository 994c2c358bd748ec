/** What commands do before their own work: load the configuration, find the store they read. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { formatConfigErrors, loadConfig, type Config, type LoadOptions } from '../config/index.js';
import { describeStore, storeExists, storeLocation } from '../store/open.js';
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

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<T extends Options> = T & { help: { type: 'boolean'; short: 'h' } };
type ParsedValues<T extends Options> = ReturnType<
  typeof parseArgs<{ options: WithHelp<T>; allowPositionals: true; strict: true }>
>['values'];

/** Exit status after printing the help. */
export const HELP_SHOWN = 0;

/**
 * BAD_INPUT after saying `message` on stderr with where the usage is: how a command refuses
 * arguments whose help is too long to repeat under every mistake.
 */
export function usageError(command: string, io: CommandIo, message: string): typeof BAD_INPUT {
  io.stderr(`rebalancer ${command}: ${message}\nRun "rebalancer ${command} --help" for usage.\n`);
  return BAD_INPUT;
}

/**
 * Reads `rebalancer <command>`'s arguments (`options`, plus `-h`/`--help`, which prints `help`:
 * HELP_SHOWN). An unknown or malformed option goes to `refuse` with the parser's error; by default
 * its message and `help` are printed on stderr: BAD_INPUT. Otherwise the options' values and the
 * positional arguments.
 */
export function commandArgs<T extends Options>(
  command: string,
  io: CommandIo,
  help: string,
  argv: string[],
  options: T,
  refuse: (err: Error & { code?: string }) => number = (err) => {
    io.stderr(`rebalancer ${command}: ${err.message}\n\n${help}`);
    return BAD_INPUT;
  },
): { values: ParsedValues<T>; positionals: string[] } | number {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as WithHelp<T>;
  let parsed: { values: ParsedValues<T>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    return refuse(err as Error);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(help);
    return HELP_SHOWN;
  }
  return parsed;
}
