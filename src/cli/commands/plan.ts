/**
 * `rebalancer plan drain|balance|maintenance`: reads an inventory file, plans, prints the plan. No side
 * effects. Exit status: 0 feasible plan, 3 plan computed but not feasible (still printed),
 * 2 bad input (one line per problem on stderr, nothing on stdout), 1 internal error.
 */
import type { CommandIo } from '../io.js';
import { commandArgs } from '../args.js';
import { systemClock } from '../../../executor/clock.js';
import {
  PlanVerificationError,
  type CampaignPlan,
  type CampaignRequest,
  type Inventory,
  type Plan,
  type PlannerOptions,
  type PlanRequest,
} from '../../../planner/index.js';
import { planInState, type PlanRequestRecord } from '../../orchestrate/lifecycle.js';
import { boundPlanners } from '../../orchestrate/bound-planners.js';
import { validateRequest, type RequestInput } from '../../../planner/index.js';
import { readInventoryFile } from '../../inventory/file.js';
import { cellsOf, sliceCells } from '../../inventory/slice.js';
import { renderPlanText } from '../render/plan-text.js';
import { renderCampaignText } from '../render/campaign-text.js';

const USAGE = `usage:
  rebalancer plan drain   --inventory FILE --host HOST [--host HOST ...] [--cell CELL] [options]
  rebalancer plan balance --inventory FILE [--cell CELL ...] [--threshold X] [--max-moves N] [options]
  rebalancer plan maintenance --inventory FILE (--host HOST ... | --cell CELL ...) [--max-unavailable N] [options]

Plans live migrations from an inventory snapshot (JSON) without touching any host.

options:
  --inventory FILE       inventory snapshot (required)
  --host HOST            drain: a host to empty; maintenance: a host to patch (repeatable)
  --cell CELL            balance: a cell to balance (repeatable; default all cells);
                         drain: the cell the hosts must be in (a guard);
                         maintenance: patch every enabled, up host of the cell (repeatable)
  --max-unavailable N    maintenance: most hosts of one cell out at once (default 1)
  --threshold X          balance: imbalance (0..1) below which nothing moves (default 0.1)
  --max-moves N          balance: at most N moves (default unlimited)
  --timeout-per-gib N    completion timeout budget in seconds per GiB copied (default 800)
  --method M             auto | heuristic | exact (default auto)
  --format F             json | text (default: text on a terminal, json otherwise)
  -h, --help             show this help

exit status: 0 feasible plan, 3 plan not feasible (still printed), 2 bad input, 1 internal error
`;

const OPTIONS = {
  inventory: { type: 'string' },
  host: { type: 'string', multiple: true },
  cell: { type: 'string', multiple: true },
  threshold: { type: 'string' },
  'max-moves': { type: 'string' },
  'max-unavailable': { type: 'string' },
  'timeout-per-gib': { type: 'string' },
  method: { type: 'string' },
  format: { type: 'string' },
} as const;

type Values = Exclude<ReturnType<typeof commandArgs<typeof OPTIONS>>, number>['values'];

/** Request field -> the command-line flag a user typed. */
const FLAG: Record<string, string> = {
  host: '--host',
  cell: '--cell',
  threshold: '--threshold',
  maxMoves: '--max-moves',
  maxUnavailable: '--max-unavailable',
};

const GOALS = ['drain', 'balance', 'maintenance'] as const;

interface Parsed {
  goal: (typeof GOALS)[number];
  inventory: string;
  request: RequestInput;
  options: PlannerOptions;
  format: 'json' | 'text' | undefined;
}

/** A number from a flag; the raw text when it is not one, so the message shows what was typed. */
function num(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  problems: string[],
): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  problems.push(`${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return undefined;
}

function interpret(values: Values, positionals: string[], problems: string[]): Parsed | null {
  const [goal, ...extra] = positionals;
  if (!(GOALS as readonly string[]).includes(goal))
    problems.push(
      `expected "drain", "balance" or "maintenance" after "plan", got ${goal === undefined ? 'nothing' : `"${goal}"`}`,
    );
  if (extra.length) problems.push(`unexpected argument(s): ${extra.join(' ')}`);
  if (!values.inventory) problems.push('--inventory: expected the path of an inventory JSON file');
  if (goal === 'balance' && values.host) problems.push('--host: applies to "plan drain" only');
  if (goal !== 'balance' && values.threshold !== undefined)
    problems.push('--threshold: applies to "plan balance" only');
  if (goal !== 'balance' && values['max-moves'] !== undefined)
    problems.push('--max-moves: applies to "plan balance" only');
  if (goal !== 'maintenance' && values['max-unavailable'] !== undefined)
    problems.push('--max-unavailable: applies to "plan maintenance" only');
  const perGiB = num(values['timeout-per-gib']);
  if (perGiB !== undefined && !(typeof perGiB === 'number' && perGiB > 0))
    problems.push(`--timeout-per-gib: expected a positive number of seconds, got "${values['timeout-per-gib']}"`);
  const method = oneOf('--method', values.method, ['auto', 'heuristic', 'exact'] as const, problems);
  const format = oneOf('--format', values.format, ['json', 'text'] as const, problems);
  if (problems.length) return null;
  const options: PlannerOptions = { method: method ?? 'auto' };
  if (typeof perGiB === 'number') options.timeoutPerGiBSeconds = perGiB;
  const request: RequestInput =
    goal === 'drain'
      ? { goal, hosts: values.host ?? [], cells: values.cell }
      : goal === 'maintenance'
        ? { goal, hosts: values.host, cells: values.cell, maxUnavailable: num(values['max-unavailable']) }
        : { goal: 'balance', cells: values.cell, threshold: num(values.threshold), maxMoves: num(values['max-moves']) };
  return { goal: goal as Parsed['goal'], inventory: values.inventory!, request, options, format };
}

function toCampaignRequest(r: RequestInput): CampaignRequest {
  const out: CampaignRequest = {};
  if (r.hosts !== undefined) out.hosts = r.hosts as string[];
  if (r.cells !== undefined) out.cells = r.cells as string[];
  if (r.maxUnavailable !== undefined) out.maxUnavailable = r.maxUnavailable as number;
  return out;
}

function toPlanRequest(r: RequestInput, method: PlannerOptions['method']): PlanRequestRecord {
  if (r.goal === 'drain') return { goal: 'drain', hosts: r.hosts as string[], method, source: 'cli' };
  const out: PlanRequestRecord = { goal: 'balance', method, source: 'cli' };
  if (r.cells !== undefined) out.cells = r.cells as string[];
  if (r.threshold !== undefined) out.threshold = r.threshold as number;
  if (r.maxMoves !== undefined) out.maxMoves = r.maxMoves as number;
  return out;
}

function fail(io: CommandIo, problems: string[], hint = false): number {
  for (const p of problems) io.stderr(`rebalancer plan: ${p}\n`);
  if (hint) io.stderr('Run "rebalancer plan --help" for usage.\n');
  return 2;
}

/** Replaceable parts, for tests. */
export interface PlanCommandDeps {
  /** @default the planner's `plan` */
  plan?: (inventory: Inventory, request: PlanRequest, options: PlannerOptions) => Plan;
}

export async function run(argv: string[], io: CommandIo, deps: PlanCommandDeps = {}): Promise<number> {
  const parsed = commandArgs('plan', io, USAGE, argv, OPTIONS, (e) => {
    // parseArgs explains unknown options and missing values; keep it to one line.
    const text =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? e.message.split('. ')[0] : e.message.replace(/\s*\n\s*/g, ' ');
    return fail(io, [text], true);
  });
  if (typeof parsed === 'number') return parsed;
  const problems: string[] = [];
  const input = interpret(parsed.values, parsed.positionals, problems);
  if (!input) return fail(io, problems, true);
  const file = await readInventoryFile(input.inventory);
  if (!file.ok) return fail(io, file.errors);
  const issues = validateRequest(file.inventory, input.request);
  if (issues.length)
    return fail(
      io,
      issues.map((i) => `${FLAG[i.path] ?? i.path}: ${i.message}`),
    );
  // Plan only, from a file: the lifecycle's planning with nothing in maintenance and no store to open.
  const planning = { clock: systemClock, settings: { planner: input.options }, planFn: deps.plan };
  let result: Plan | CampaignPlan;
  let request: PlanRequestRecord | null = null;
  try {
    if (input.goal === 'maintenance') {
      const campaign = toCampaignRequest(input.request);
      const nothingHeld = { maintenanceHosts: [], cooledDown: null };
      result = boundPlanners(nothingHeld, input.options, () => systemClock.now()).campaign(file.inventory, campaign);
    } else {
      // Instances never leave their cell: a drain is planned on the drained hosts' cells only, as the API does.
      const scope = input.goal === 'drain' ? cellsOf(file.inventory, input.request.hosts as string[]) : [];
      ({ plan: result, request } = await planInState(
        planning,
        sliceCells(file.inventory, scope),
        toPlanRequest(input.request, input.options.method),
        { maintenanceHosts: [], cooledDown: null },
      ));
    }
  } catch (err) {
    const why = err instanceof PlanVerificationError ? err.message : `${(err as Error)?.message ?? String(err)}`;
    io.stderr(`rebalancer plan: internal error: ${why.split('\n')[0]}\n`);
    return 1;
  }
  const format = input.format ?? (io.isTty ? 'text' : 'json');
  const text = () =>
    result.goal === 'maintenance' ? renderCampaignText(result) : renderPlanText(file.inventory, result);
  const json = request ? { ...result, request } : result;
  io.stdout(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text());
  return result.feasible ? 0 : 3;
}
