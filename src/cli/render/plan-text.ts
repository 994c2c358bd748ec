/**
 * The human view of a plan: moves by wave, before/after figures of every host the plan touches,
 * unplaced instances with their reasons, and totals. Pure: returns the text.
 */
import {
  finalPlacement,
  hostFigures,
  type Inventory,
  type Move,
  type Plan,
  type HostFigures,
} from '../../../planner/index.js';
import { DEFAULT_EXECUTION_LIMITS, drainSeconds, type ExecutionLimits } from '../../orchestrate/duration.js';

/** Left-aligned columns separated by two spaces. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);
const gib = (x: number) => `${x.toFixed(1)} GiB`;

/** 95 s -> "1m35s", 7300 s -> "2h01m40s". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}h${String(m).padStart(2, '0')}m${rest}s` : `${m}m${rest}s`;
}

function header(plan: Plan): string {
  const what =
    plan.goal === 'drain'
      ? `drain of ${(plan.target.hosts ?? []).join(', ')}`
      : `balance of ${plan.target.cells?.length ? plan.target.cells.join(', ') : 'all cells'}`;
  const verdict = plan.feasible ? 'feasible' : `NOT feasible: ${plan.unplaced.length} instance(s) cannot be placed`;
  return `Plan: ${what} (${verdict})`;
}

function waveLines(moves: readonly Move[]): string[] {
  if (!moves.length) return ['', 'No moves.'];
  const byWave = new Map<number, Move[]>();
  for (const m of moves) {
    const list = byWave.get(m.wave);
    if (list) list.push(m);
    else byWave.set(m.wave, [m]);
  }
  const out: string[] = [];
  for (const w of [...byWave.keys()].sort((a, b) => a - b)) {
    const list = byWave.get(w)!;
    out.push('', `Wave ${w} (${list.length} move${list.length === 1 ? '' : 's'})`);
    out.push(
      ...table(
        list.map((m) => [
          m.name,
          `${m.from} -> ${m.to}`,
          m.mode,
          gib(m.gib),
          `est. ${duration(m.estimatedSeconds)}`,
          ...(m.converges === false
            ? ['does not converge at its bandwidth: starts with auto-converge or post-copy']
            : []),
        ]),
      ),
    );
  }
  return out;
}

function hostLines(inventory: Inventory, plan: Plan): string[] {
  const touched = new Set<string>();
  for (const m of plan.moves) touched.add(m.from).add(m.to);
  for (const h of plan.target.hosts ?? []) touched.add(h);
  if (!touched.size) return [];
  const figures = hostFigures(inventory, finalPlacement(plan.moves), touched);
  const arrow = (f: { before: HostFigures; after: HostFigures }, k: keyof HostFigures) =>
    f.before[k] === null && f.after[k] === null ? 'unknown' : `${pct(f.before[k])} -> ${pct(f.after[k])}`;
  const rows = [['host', 'cpu alloc', 'mem alloc', 'cpu usage']];
  for (const name of [...figures.keys()].sort()) {
    const f = figures.get(name)!;
    rows.push([name, arrow(f, 'cpuAlloc'), arrow(f, 'memAlloc'), arrow(f, 'cpuUsage')]);
  }
  return ['', 'Hosts touched (before -> after)', ...table(rows)];
}

function unplacedLines(plan: Plan): string[] {
  if (!plan.unplaced.length) return [];
  return [
    '',
    `Unplaced (${plan.unplaced.length})`,
    ...table(plan.unplaced.map((u) => [u.name, `on ${u.host}`, u.code, u.reason])),
  ];
}

/** The executor limits an estimate assumed, in words. */
export function limitsText(l: ExecutionLimits): string {
  const c = l.concurrency;
  const cap = l.bandwidthMiBps > 0 ? `, at most ${l.bandwidthMiBps} MiB/s each` : '';
  return (
    `${c.global} at once, ${c.perHostOutbound} out / ${c.perHostInbound} in per host${cap}, ` +
    `${l.migrationOverheadSeconds} s set-up each`
  );
}

function totalLines(plan: Plan, l: ExecutionLimits): string[] {
  const m = plan.metrics;
  const seconds = drainSeconds(plan.moves, l);
  const limits = limitsText(l);
  return [
    '',
    `Totals: ${plan.moves.length} move(s) in ${m.waves} wave(s), ${gib(m.gibToCopy)} to copy, estimated ` +
      `${duration(seconds)} (${limits})`,
    ...(m.extraMoves
      ? [
          `Made room: ${m.extraMoves} move(s) of instances not on the drained hosts, ${gib(m.extraGib ?? 0)}, ` +
            'in earlier waves',
        ]
      : []),
    `Method: ${m.method}, objective ${m.objective.toFixed(3)}, lower bound ${m.lowerBound.toFixed(3)}, gap ` +
      `${(m.gap * 100).toFixed(1)}%`,
  ];
}

/** `limits`: the executor limits the duration estimate assumes. @default the default configuration's */
export function renderPlanText(
  inventory: Inventory,
  plan: Plan,
  limits: ExecutionLimits = DEFAULT_EXECUTION_LIMITS,
): string {
  const lines = [
    header(plan),
    ...waveLines(plan.moves),
    ...hostLines(inventory, plan),
    ...unplacedLines(plan),
    ...totalLines(plan, limits),
  ];
  return `${lines.join('\n')}\n`;
}
