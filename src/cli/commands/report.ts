/**
 * `rebalancer report capacity`: the plan-only capacity review (N+1, headroom, fragmentation,
 * tonight's balance) as HTML, JSON or CSV. Never moves anything.
 */
import { writeFileSync } from 'node:fs';
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
import { commandArgs, usageError } from '../setup.js';

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

const fail = (io: CommandIo, message: string) => usageError('report', io, message);

const RENDER: Record<string, (r: CapacityReport) => string> = { html: renderHtml, json: renderJson, csv: renderCsv };

interface Args {
  inventory?: string;
  config?: string;
  format: string;
  out?: string;
  maintenance: string[];
  patchBudget?: number;
}

const OPTIONS = {
  inventory: { type: 'string' },
  config: { type: 'string' },
  format: { type: 'string', default: 'html' },
  out: { type: 'string' },
  maintenance: { type: 'string', multiple: true, default: [] as string[] },
  'patch-budget': { type: 'string' },
} as const;

function parse(argv: string[], io: CommandIo): Args | number {
  const parsed = commandArgs('report', io, HELP, argv, OPTIONS, (err) => fail(io, err.message));
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals[0] !== 'capacity' || positionals.length > 1)
    return fail(io, `expected the report name "capacity", got "${positionals.join(' ')}"`);
  if (!RENDER[values.format]) return fail(io, `expected --format html, json or csv, got "${values.format}"`);
  const budget = values['patch-budget'];
  const patchBudget = budget === undefined ? undefined : Number(budget);
  if (patchBudget !== undefined && !(Number.isSafeInteger(patchBudget) && patchBudget >= 0))
    return fail(io, `expected --patch-budget to be a whole number of work units >= 0, got "${budget}"`);
  const { inventory, config, out, format, maintenance } = values;
  return { inventory, config, out, format, maintenance, patchBudget };
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

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, io);
  if (typeof args === 'number') return args;
  const now = Date.now();
  const input = await inputs(args, io);
  if (!input.ok) return fail(io, input.message);
  const report = await build(input.value.inventory, input.value.config, args, now);
  const text = RENDER[args.format](report);
  if (!args.out) {
    io.stdout(text);
    return 0;
  }
  try {
    writeFileSync(args.out, text);
  } catch (err) {
    return fail(io, `cannot write "${args.out}": ${(err as Error).message}`);
  }
  return 0;
}
