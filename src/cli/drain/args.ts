/** Command-line options of `rebalancer drain`, parsed without throwing. */
import { parseArgs } from 'node:util';

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
  help: boolean;
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

export type ParsedArgs = { ok: true; args: DrainArgs } | { ok: false; message: string };

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      host: { type: 'string', multiple: true },
      execute: { type: 'boolean' },
      format: { type: 'string' },
      'sample-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

export function parseDrainArgs(argv: string[], isTty: boolean): ParsedArgs {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(argv);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const format = values.format ?? (isTty ? 'text' : 'json');
  if (format !== 'json' && format !== 'text')
    return { ok: false, message: `--format: expected json or text, got "${format}"` };
  const sampleMs = values['sample-ms'] === undefined ? 1000 : Number(values['sample-ms']);
  if (!Number.isFinite(sampleMs) || sampleMs < 0)
    return { ok: false, message: `--sample-ms: expected a number >= 0, got "${values['sample-ms']}"` };
  const hosts = [...new Set(values.host ?? [])];
  if (!values.help && hosts.length === 0) return { ok: false, message: '--host: expected at least one host to drain' };
  return {
    ok: true,
    args: {
      config: values.config,
      hosts,
      execute: values.execute ?? false,
      format,
      sampleMs,
      help: values.help ?? false,
    },
  };
}
