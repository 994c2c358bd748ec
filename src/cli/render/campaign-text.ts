/**
 * The human view of a maintenance campaign: each step with its hosts, moves (by wave) and what
 * stays behind, then totals against the lower bound. Pure: returns the text.
 */
import type { CampaignPlan, CampaignStep } from '../../../planner/index.js';
import { DEFAULT_EXECUTION_LIMITS, drainSeconds, type ExecutionLimits } from '../../orchestrate/duration.js';
import { duration, limitsText, table } from './plan-text.js';

const gib = (x: number) => `${x.toFixed(1)} GiB`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function header(plan: CampaignPlan): string {
  const cells = plan.target.cells?.length ? `cell ${plan.target.cells.join(', ')}` : plan.target.hosts.join(', ');
  const verdict = plan.feasible
    ? 'feasible'
    : `NOT feasible: ${plan.unplaced.length} instance(s) stay on their host, steps ${failedSteps(plan)}`;
  const size = `${plural(plan.target.hosts.length, 'host')}, maxUnavailable ${plan.target.maxUnavailable}`;
  return `Maintenance campaign: ${cells} (${size}) (${verdict})`;
}

function failedSteps(plan: CampaignPlan): string {
  return plan.steps
    .map((s, k) => (s.unplaced.length ? String(k + 1) : null))
    .filter((k) => k !== null)
    .join(', ');
}

function stepLines(step: CampaignStep, k: number, limits: ExecutionLimits): string[] {
  const seconds = drainSeconds(step.moves, limits);
  const out = [
    '',
    `Step ${k + 1}: ${step.hosts.join(', ')}  (${plural(step.moves.length, 'move')}, ${gib(step.gibToCopy)}, ` +
      `est. ${duration(seconds)})`,
  ];
  const waves = new Set(step.moves.map((m) => m.wave)).size;
  const sorted = [...step.moves].sort((a, b) => a.wave - b.wave);
  const rows = sorted.map((m) => [
    ...(waves > 1 ? [`w${m.wave}`] : []),
    m.name,
    `${m.from} -> ${m.to}`,
    m.mode,
    gib(m.gib),
  ]);
  out.push(...table(rows, '    '));
  for (const u of step.unplaced) out.push(`    stays: ${u.name} on ${u.host}  ${u.code}  ${u.reason}`);
  return out;
}

/** `limits`: the executor limits the duration estimates assume. @default the default configuration's */
export function renderCampaignText(plan: CampaignPlan, limits: ExecutionLimits = DEFAULT_EXECUTION_LIMITS): string {
  const m = plan.metrics;
  const seconds = plan.steps.reduce((t, s) => t + drainSeconds(s.moves, limits), 0);
  const lines = [header(plan), ...plan.steps.flatMap((s, k) => stepLines(s, k, limits))];
  if (!plan.steps.length) lines.push('', 'No host to patch.');
  lines.push(
    '',
    `Totals: ${plural(m.steps, 'step')}, ${plural(m.moves, 'move')}, ${gib(m.gibToCopy)} to copy ` +
      `(lower bound ${gib(m.lowerBoundGib)}), ` +
      `${m.instancesMovedTwiceOrMore} instance(s) moved in more than one step, ` +
      `migrations est. ${duration(seconds)} (${limitsText(limits)}; patching not included)`,
  );
  return `${lines.join('\n')}\n`;
}
