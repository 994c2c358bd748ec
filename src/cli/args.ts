/** Reading a command's arguments: options, `--help`, and how bad arguments end (no configuration or store). */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandIo } from './io.js';

/** Exit status of bad input: arguments, configuration, a missing store. */
export const BAD_INPUT = 2;

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
