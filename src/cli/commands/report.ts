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
import { campaignTiming } from '../../orchestrate/duration.js';
import { createPlanLifecycle } from '../../orchestrate/lifecycle.js';
import { buildCapacityReport, renderCsv, renderHtml, renderJson, type CapacityReport } from '../../report/index.js';
import { DEFAULT_PATCH_BUDGET } from '../../report/patching.js';
import { collectFromConfig, readInventory, storeForReading, type Loaded } from '../../report/sources.js';
import type { Inventory } from '../../../planner/index.js';
import type { CommandIo } from '../io.js';

const HELP = `usage: rebalancer report capacity [--inventory FILE | --config FILE] [options]

Capacity review, plan only: per-cell headroom, whether every host can be drained now (N+1)
and what blocks it, fragmentation per flavor size, what tonight's balance would move, and
whether each cell could be patched now by a rolling maintenance with 1 and 2 hosts out at once
(steps, moves, GiB, duration at the configured executor limits and maintenance.patchMinutes,
and the step that fails with its reason).

  --inventory FILE     inventory snapshot (JSON, the planner's inventory format)
  --config FILE        service configuration: without --inventory the inventory is collected
                       from its hypervisors (the simulated demo region when none is
                       configured); its store gives maintenance flags and the cool-down,
                       its nightly section the balance settings, its executor limits and
                       maintenance.patchMinutes the patching durations. Without either option the
                       default configuration (REBALANCER_CONFIG) is used.
  --format FORMAT      html | json | csv (default html)
  --out FILE           write the report to FILE instead of stdout
  --maintenance HOST   treat HOST as in maintenance (never a target); repeatable
  --patch-budget UNITS work units of campaign planning per cell for the rolling-maintenance
                       forecast (instances x (hosts - 1) per run, two runs per cell); cells
                       over it say "not checked" (default ${DEFAULT_PATCH_BUDGET})
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
  patchBudget?: number;
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
        'patch-budget': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return 'help';
    if (positionals[0] !== 'capacity' || positionals.length > 1)
      return { ok: false, message: `expected the report name "capacity", got "${positionals.join(' ')}"` };
    if (!RENDER[values.format])
      return { ok: false, message: `expected --format html, json or csv, got "${values.format}"` };
    const budget = values['patch-budget'];
    const patchBudget = budget === undefined ? undefined : Number(budget);
    if (patchBudget !== undefined && !(Number.isSafeInteger(patchBudget) && patchBudget >= 0))
      return { ok: false, message: `expected --patch-budget to be a whole number of work units >= 0, got "${budget}"` };
    const { inventory, config, out, format, maintenance } = values;
    return { ok: true, value: { inventory, config, out, format, maintenance, patchBudget } };
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
async function build(inventory: Inventory, config: Config | null, args: Args, now: number): Promise<CapacityReport> {
  const store = await storeForReading(config);
  try {
    const nightly = config?.nightly ?? defaultNightlyConfig();
    const lifecycle = createPlanLifecycle({
      store,
      clock: { ...systemClock, now: () => now },
      settings: { planner: config?.planner ?? {}, cooldownHours: nightly.cooldownHours },
      collect: () => Promise.reject(new Error('the report plans on the inventory it was given')),
    });
    const patching = { timing: config ? campaignTiming(config) : undefined, budget: args.patchBudget };
    const inputs = await lifecycle.capacityInputs(inventory, nightly, args.maintenance);
    return buildCapacityReport(inventory, { now, ...inputs, patching });
  } finally {
    await store.close();
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
  const report = await build(input.value.inventory, input.value.config, args.value, now);
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
