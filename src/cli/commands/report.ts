/**
 * `rebalancer report capacity`: the plan-only capacity review (N+1, headroom, fragmentation,
 * tonight's balance) as HTML, JSON or CSV. Never moves anything.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, formatConfigErrors } from '../../config/index.js';
import { systemClock } from '../../../executor/clock.js';
import type { Config } from '../../config/index.js';
import { defaultNightlyConfig } from '../../nightly/config.js';
import { createPlanLifecycle } from '../../orchestrate/lifecycle.js';
import { buildCapacityReport, renderCsv, renderHtml, renderJson, type CapacityReport } from '../../report/index.js';
import { collectFromConfig, readInventory, storeForReading, type Loaded } from '../../report/sources.js';
import type { Inventory } from '../../../planner/index.js';
import type { CommandIo } from '../io.js';

const HELP = `usage: rebalancer report capacity [--inventory FILE | --config FILE] [options]

Capacity review, plan only: per-cell headroom, whether every host can be drained now (N+1)
and what blocks it, fragmentation per flavor size, and what tonight's balance would move.

  --inventory FILE     inventory snapshot (JSON, the planner's inventory format)
  --config FILE        service configuration: without --inventory the inventory is collected
                       from its hypervisors (the simulated demo region when none is
                       configured); its store gives maintenance flags and the cool-down,
                       its nightly section the balance settings. Without either option the
                       default configuration (REBALANCER_CONFIG) is used.
  --format FORMAT      html | json | csv (default html)
  --out FILE           write the report to FILE instead of stdout
  --maintenance HOST   treat HOST as in maintenance (never a target); repeatable
  --help               show this help

Exit status: 0 report written, 2 bad input (nothing is written).
`;

const RENDER: Record<string, (r: CapacityReport) => string> = { html: renderHtml, json: renderJson, csv: renderCsv };

interface Args {
  inventory?: string;
  config?: string;
  format: string;
  out?: string;
  maintenance: string[];
}

function parse(argv: string[]): Loaded<Args> | 'help' {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        inventory: { type: 'string' },
        config: { type: 'string' },
        format: { type: 'string', default: 'html' },
        out: { type: 'string' },
        maintenance: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return 'help';
    if (positionals[0] !== 'capacity' || positionals.length > 1)
      return { ok: false, message: `expected the report name "capacity", got "${positionals.join(' ')}"` };
    if (!RENDER[values.format])
      return { ok: false, message: `expected --format html, json or csv, got "${values.format}"` };
    return { ok: true, value: { ...values, format: values.format, maintenance: values.maintenance } };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

interface Inputs {
  inventory: Inventory;
  config: Config | null;
}

/** Inventory file, or collection through the configuration. */
async function inputs(args: Args, io: CommandIo): Promise<Loaded<Inputs>> {
  const file = args.inventory ? await readInventory(args.inventory) : null;
  if (file && !file.ok) return file;
  if (file?.ok && !args.config) return { ok: true, value: { inventory: file.value, config: null } };
  const loaded = loadConfig({ path: args.config, env: process.env });
  if (!loaded.ok) return { ok: false, message: `invalid configuration:\n${formatConfigErrors(loaded.errors)}` };
  const c = loaded.config;
  const inventory = file?.ok ? file.value : await collectFromConfig(c, (w) => io.stderr(`warning: ${w.message}\n`));
  return { ok: true, value: { inventory, config: c } };
}

/** The report as the service would build it: the plan lifecycle over the service's store (read only). */
function build(inventory: Inventory, config: Config | null, alsoInMaintenance: string[], now: number): CapacityReport {
  const store = storeForReading(config);
  try {
    const nightly = config?.nightly ?? defaultNightlyConfig();
    const lifecycle = createPlanLifecycle({
      store,
      clock: { ...systemClock, now: () => now },
      settings: { planner: config?.planner ?? {}, cooldownHours: nightly.cooldownHours },
      collect: () => Promise.reject(new Error('the report plans on the inventory it was given')),
    });
    return buildCapacityReport(inventory, { now, ...lifecycle.capacityInputs(inventory, nightly, alsoInMaintenance) });
  } finally {
    store.close();
  }
}

function fail(io: CommandIo, message: string): number {
  io.stderr(`rebalancer report: ${message}\nRun "rebalancer report --help" for usage.\n`);
  return 2;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    io.stdout(HELP);
    return 0;
  }
  if (!args.ok) return fail(io, args.message);
  const now = Date.now();
  const input = await inputs(args.value, io);
  if (!input.ok) return fail(io, input.message);
  const report = build(input.value.inventory, input.value.config, args.value.maintenance, now);
  const text = RENDER[args.value.format](report);
  if (!args.value.out) {
    io.stdout(text);
    return 0;
  }
  try {
    writeFileSync(args.value.out, text);
  } catch (err) {
    return fail(io, `cannot write "${args.value.out}": ${(err as Error).message}`);
  }
  return 0;
}
