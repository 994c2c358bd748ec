/**
 * Can a cell be patched now? For each `maxUnavailable` of PATCH_LEVELS the campaign planner
 * (the lifecycle's, verified step by step) plans a rolling maintenance of every enabled, up host
 * of the cell; the report says in how many steps, moving how many GiB, taking how long (each
 * step's drain at the configured executor limits, then the patch), and which step fails and why
 * when it cannot. Planner runs are charged work units against a per-cell budget, never wall time,
 * so the same inventory always gets the same answer.
 */
import type { CampaignPlan, Inventory } from '../../planner/index.js';
import { MaintenanceConfigSchema } from '../maintenance/config.js';
import type { BoundPlanners } from '../orchestrate/bound-planners.js';
import { stepCannotBeEmptied } from '../maintenance/step-failure.js';
import { campaignStepSeconds, DEFAULT_EXECUTION_LIMITS, type CampaignTiming } from '../orchestrate/duration.js';
import type { Blocker, PatchCheck, PatchStep } from './model.js';

/** The `maxUnavailable` values every cell is checked with. */
export const PATCH_LEVELS = [1, 2] as const;

/**
 * Work budget of campaign-planner runs per cell (all levels together), in work units: both levels
 * of a 200-host cell with 25 instances per host (5,000 x 199 units each) fit, a 1,000-host cell
 * (about 3.4 s of CPU per level) needs a larger budget (`report capacity --patch-budget`).
 * @default 10000000
 */
export const DEFAULT_PATCH_BUDGET = 10_000_000;

export interface PatchOptions {
  /** The campaign planner, bound to the lifecycle's rules (hosts in maintenance never receive). */
  planners: Pick<BoundPlanners, 'campaign'>;
  /** Executor limits and patch time per host. @default the default configuration's */
  timing: CampaignTiming;
  /** Work budget per cell, in work units (see campaignWork). */
  budget: number;
}

export const DEFAULT_TIMING: CampaignTiming = {
  limits: DEFAULT_EXECUTION_LIMITS,
  patchMinutes: MaintenanceConfigSchema.parse({}).patchMinutes,
};

/**
 * Work units one campaign-planner run over a cell is charged: every instance drained once, each
 * against the other hosts of the cell (instances x (hosts - 1)), at least 1. Depends on the
 * inventory only, never on machine load.
 */
export function campaignWork(cell: Inventory): number {
  return Math.max(1, cell.instances.length * Math.max(1, cell.hosts.length - 1));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const blocker = (u: CampaignPlan['unplaced'][number]): Blocker & { host: string } => ({
  host: u.host,
  instance: u.instance,
  name: u.name,
  code: u.code,
  reason: u.reason,
});

function undecided(maxUnavailable: number, reason: string): PatchCheck {
  return {
    maxUnavailable,
    patchable: null,
    hosts: null,
    steps: null,
    moves: null,
    gibToCopy: null,
    instancesMovedTwiceOrMore: null,
    seconds: null,
    schedule: [],
    failingStep: null,
    reason,
  };
}

function fromPlan(plan: CampaignPlan, timing: CampaignTiming): PatchCheck {
  const schedule: PatchStep[] = plan.steps.map((s) => ({
    hosts: s.hosts,
    moves: s.moves.length,
    gibToCopy: s.gibToCopy,
    seconds: Math.round(campaignStepSeconds(s, timing.limits, timing.patchMinutes)),
    stays: s.unplaced.map(blocker),
  }));
  const failing = plan.steps.map((s, k) => (s.unplaced.length ? k : -1)).filter((k) => k >= 0);
  let reason: string | null = null;
  if (failing.length) {
    const first = plan.steps[failing[0]];
    const n = failing.length - 1;
    const more = n > 0 ? `; ${n} more step${n > 1 ? 's' : ''} cannot be emptied either` : '';
    reason = `${stepCannotBeEmptied(failing[0], first.hosts, first.unplaced)}${more}`;
  } else if (!plan.target.hosts.length) reason = 'no enabled, up host to patch';
  return {
    maxUnavailable: plan.target.maxUnavailable,
    patchable: plan.feasible,
    hosts: plan.target.hosts.length,
    steps: plan.metrics.steps,
    moves: plan.metrics.moves,
    gibToCopy: round(plan.metrics.gibToCopy),
    instancesMovedTwiceOrMore: plan.metrics.instancesMovedTwiceOrMore,
    seconds: schedule.reduce((t, s) => t + s.seconds, 0),
    schedule,
    failingStep: failing.length ? failing[0] : null,
    reason,
  };
}

/** One check per level of PATCH_LEVELS for the cell `cell` (its own inventory: campaigns never leave a cell). */
export function patchChecks(cellName: string, cell: Inventory, opts: PatchOptions): PatchCheck[] {
  const cost = campaignWork(cell);
  let spent = 0;
  return PATCH_LEVELS.map((n) => {
    if (spent + cost > opts.budget)
      return undecided(
        n,
        `not checked: a campaign-planner run (${cost} work units) would exceed what is left of this cell's ` +
          `budget (${opts.budget - spent} of ${opts.budget} work units)`,
      );
    spent += cost;
    try {
      const plan = opts.planners.campaign(cell, { cells: [cellName], maxUnavailable: n });
      return fromPlan(plan, opts.timing);
    } catch (err) {
      return undecided(n, `campaign planner failed: ${(err as Error)?.message ?? String(err)}`);
    }
  });
}
