/**
 * Terminal views of what GET /plans, GET /plans/:id and GET /hosts answer: the same view objects
 * (src/http/views.ts), laid out as text. Pure: returns the text.
 */
import type { HostView, PlanListView, PlanView } from '../../http/contract/schemas.js';
import { duration, table } from './plan-text.js';

const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);

function targetOf(p: { goal: string; target: { hosts?: string[]; cells?: string[] } }): string {
  if (p.goal === 'drain') return `drain ${(p.target.hosts ?? []).join(', ')}`;
  return `balance ${p.target.cells?.length ? p.target.cells.join(', ') : 'all cells'}`;
}

export function planListText(v: PlanListView): string {
  if (!v.plans.length) return 'no plans\n';
  const rows = [
    ['ID', 'STATUS', 'GOAL', 'MOVES', 'FEASIBLE', 'SOURCE', 'CREATED'],
    ...v.plans.map((p) => [
      p.id,
      p.status,
      targetOf(p),
      String(p.moveCount),
      p.feasible ? 'yes' : `no (${p.unplacedCount} unplaced)`,
      p.source,
      p.createdAt,
    ]),
  ];
  const more = v.next ? [`more: --after ${v.next}`] : [];
  return `${[...table(rows, ''), ...more].join('\n')}\n`;
}

export function planViewText(v: PlanView): string {
  const lines = [
    `plan ${v.id}: ${v.status} (${targetOf(v)}, ${v.feasible ? 'feasible' : 'NOT feasible'})`,
    `  source ${v.source}, created ${v.createdAt}, updated ${v.updatedAt}`,
  ];
  if (v.supersedes) lines.push(`  replaces ${v.supersedes}`);
  if (v.supersededBy) lines.push(`  replaced by ${v.supersededBy}`);
  const { movesDone, movesTotal } = v.progress;
  lines.push(`  moves ${movesDone}/${movesTotal} done${v.etaSeconds > 0 ? `, ${duration(v.etaSeconds)} left` : ''}`);
  if (v.outcome)
    lines.push(`  goal ${v.outcome.met ? 'met' : 'NOT met'} (checked ${new Date(v.outcome.checkedAt).toISOString()})`);
  if (v.error) lines.push(`  error ${v.error.code}: ${v.error.message}`);
  if (v.moves.length) {
    const rows = [
      ['#', 'WAVE', 'INSTANCE', 'FROM', 'TO', 'MODE', 'STATE', 'PROGRESS'],
      ...v.moves.map((m) => [
        String(m.index),
        String(m.wave),
        m.name,
        m.from,
        m.to,
        m.mode,
        m.state + (m.error ? ` (${m.error.code})` : ''),
        `${m.progress.percent}%`,
      ]),
    ];
    lines.push('', ...table(rows));
  } else lines.push('', '  no moves');
  if (v.unplaced.length) {
    lines.push('', '  unplaced:');
    for (const u of v.unplaced) lines.push(`    ${u.name} on ${u.host}: ${u.code} (${u.reason})`);
  }
  return `${lines.join('\n')}\n`;
}

export function hostListText(hosts: HostView[]): string {
  if (!hosts.length) return 'no hosts\n';
  const rows = [
    ['HOST', 'CELL', 'STATE', 'ENABLED', 'INSTANCES', 'CPU ALLOC', 'MEM ALLOC', 'CPU USE', 'MAINTENANCE'],
    ...hosts.map((h) => [
      h.name,
      h.cell,
      h.state,
      h.enabled ? 'yes' : 'no',
      String(h.instances),
      pct(h.utilisation.cpuAlloc),
      pct(h.utilisation.memAlloc),
      pct(h.utilisation.cpuUsage),
      h.maintenance
        ? `since ${h.maintenance.since}${h.maintenance.planId ? ` (plan ${h.maintenance.planId})` : ''}`
        : '-',
    ]),
  ];
  return `${table(rows, '').join('\n')}\n`;
}
