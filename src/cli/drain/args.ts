/** Command-line options of `rebalancer drain`. */
import { BAD_INPUT, commandArgs } from '../setup.js';
import type { CommandIo } from '../io.js';

export interface DrainArgs {
  /** Config file (JSON or YAML); REBALANCER_CONFIG when absent. */
  config?: string;
  /** Hosts to empty. */
  hosts: string[];
  /** Run the plan (otherwise only print it). @default false */
  execute: boolean;
  /** @default 'text' on a terminal, 'json' otherwise */
  format: 'json' | 'text';
  /** Gap between the CPU samples of the inventory collection, ms. @default 1000 */
  sampleMs: number;
}

const SYNOPSIS = 'rebalancer drain --config FILE --host NAME [--host NAME ...] [--execute] [--format json|text]';

export const DRAIN_USAGE = `usage: ${SYNOPSIS}

Collects the inventory from the configured hypervisors, plans moving every instance off the
given hosts and prints the plan. With --execute the plan is stored and run; hosts stay in
maintenance while it runs, failures are re-planned from a fresh inventory.

options:
  --config FILE     configuration (JSON or YAML); default: $REBALANCER_CONFIG
  --host NAME       host to drain (repeatable)
  --execute         run the plan (default: print it only)
  --format FORMAT   json or text (default: text on a terminal, json otherwise)
  --sample-ms MS    CPU sampling gap of the inventory collection (default 1000, 0 = none)

exit status: 0 plan complete (and, with --execute, every move succeeded); 1 execution failed;
2 bad input; 3 the plan is not feasible (printed, not executed).
`;

const OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string', multiple: true },
  execute: { type: 'boolean' },
  format: { type: 'string' },
  'sample-ms': { type: 'string' },
} as const;

/** `rebalancer drain`'s arguments, or the exit status after printing the help or what is wrong with them. */
export function parseDrainArgs(argv: string[], io: CommandIo): DrainArgs | number {
  const refuse = (message: string) => {
    io.stderr(`rebalancer drain: ${message}\n\n${DRAIN_USAGE}`);
    return BAD_INPUT;
  };
  const parsed = commandArgs('drain', io, DRAIN_USAGE, argv, OPTIONS);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length) return refuse(`unexpected argument "${positionals[0]}"`);
  const format = values.format ?? (io.isTty ? 'text' : 'json');
  if (format !== 'json' && format !== 'text') return refuse(`--format: expected json or text, got "${format}"`);
  const sampleMs = values['sample-ms'] === undefined ? 1000 : Number(values['sample-ms']);
  if (!Number.isFinite(sampleMs) || sampleMs < 0)
    return refuse(`--sample-ms: expected a number >= 0, got "${values['sample-ms']}"`);
  const hosts = [...new Set(values.host ?? [])];
  if (hosts.length === 0) return refuse('--host: expected at least one host to drain');
  return { config: values.config, hosts, execute: values.execute ?? false, format, sampleMs };
}
