/** HTML tables of the report page. Every value from the inventory is escaped. */
import { imbalanceOf, type CellStats } from '../../../planner/index.js';
import { escapeHtml as esc } from '../escape.js';
import { drainLabel, type CellReport, type HostRow, type PatchCheck } from '../model.js';
import { gib, num, num2, pct, ratio, span } from './format.js';

/** Most rows a table shows; the rest is counted in a note (the CSV has every host). */
export const MAX_ROWS = 200;

const more = (total: number, shown: number, what: string) =>
  total > shown
    ? `<p class="note">${total - shown} more ${what} not shown; the CSV and JSON formats list all.</p>`
    : '';

export function cellSummaryTable(cells: readonly CellReport[]): string {
  const rows = cells.map((c) => {
    const r = c.resources;
    const n = c.nPlusOne;
    return (
      `<tr><td>${esc(c.cell)}</td><td class="num">${c.hosts}</td><td class="num">${c.inServiceHosts}</td>` +
      `<td class="num">${c.instances}</td>` +
      `<td class="num">${pct(ratio(r.vcpus.allocated, r.vcpus.capacity))}</td>` +
      `<td class="num">${pct(ratio(r.memoryMb.allocated, r.memoryMb.capacity))}</td>` +
      `<td class="num">${pct(ratio(r.diskGb.allocated, r.diskGb.capacity))}</td>` +
      `<td class="num">${c.cpuUtilisation === null ? 'n/a' : pct(c.cpuUtilisation)}</td>` +
      `<td class="num">${n.drainable} / ${c.hosts}</td><td class="num">${c.tonight.moves.length}</td></tr>`
    );
  });
  return (
    `<table><thead><tr><th>Cell</th><th class="num">Hosts</th><th class="num">In service</th>` +
    `<th class="num">Instances</th>` +
    `<th class="num">vCPU alloc.</th><th class="num">Memory alloc.</th><th class="num">Disk alloc.</th>` +
    `<th class="num">CPU measured</th>` +
    `<th class="num">Drainable (N+1)</th><th class="num">Moves tonight</th></tr></thead><tbody>${rows.join('')}` +
    `</tbody></table>`
  );
}

function badge(row: HostRow): string {
  if (row.drain.drainable === true) return `<span class="badge ok">${esc(drainLabel(row.drain))}</span>`;
  if (row.drain.drainable === false) return '<span class="badge bad">blocked</span>';
  return '<span class="badge unk">not decided</span>';
}

function blockerList(row: HostRow): string {
  const items = row.drain.blockers
    .slice(0, 8)
    .map(
      (b) =>
        `<div><span class="code">${esc(b.code)}</span> ${b.name ? `<b>${esc(b.name)}</b>: ` : ''}${esc(b.reason)}` +
        `</div>`,
    );
  const rest = row.drain.blockers.length - items.length;
  return items.join('') + (rest > 0 ? `<div class="note">and ${rest} more</div>` : '');
}

/** Hosts that cannot be drained (or were not decided) with their blockers; drainable ones are counted. */
export function nPlusOneTable(cell: CellReport, rows: readonly HostRow[]): string {
  const n = cell.nPlusOne;
  const undecided = n.undecided ? `, ${n.undecided} not decided within the planner budget` : '';
  const extra = rows.filter((r) => r.drain.drainable === true && (r.drain.extraMoves ?? 0) > 0).length;
  const room = extra ? ` (${extra} of them only by first moving other instances to make room)` : '';
  const head =
    `<p class="note">${n.drainable} of ${cell.hosts} hosts can be drained now${room}. Decided in ${num(n.ms)} ` +
    `ms: ${n.quick} by quick proofs, ${n.planner} by the drain planner${undecided}.</p>`;
  const blocked = rows.filter((r) => r.drain.drainable !== true);
  if (!blocked.length) return `${head}<p>Every host can be drained with the others taking its instances.</p>`;
  const shown = blocked
    .slice(0, MAX_ROWS)
    .map(
      (r) =>
        `<tr><td>${esc(r.host)}</td><td>${badge(r)}</td><td class="num">${r.instances}</td>` +
        `<td class="num">${pct(ratio(r.resources.vcpus.allocated, r.resources.vcpus.capacity))}</td>` +
        `<td class="num">${pct(ratio(r.resources.memoryMb.allocated, r.resources.memoryMb.capacity))}</td>` +
        `<td>${blockerList(r)}</td></tr>`,
    );
  return (
    `${head}<table><thead><tr><th>Host</th><th>Drain</th><th class="num">Instances</th><th class="num">vCPU</th>` +
    `<th class="num">Memory</th><th>Why (instances that cannot be placed)</th></tr></thead>` +
    `<tbody>${shown.join('')}</tbody></table>${more(blocked.length, shown.length, 'hosts')}`
  );
}

export function fragmentationTable(cell: CellReport): string {
  const list = [...cell.fragmentation].sort((a, b) => b.count - a.count || b.memoryMb - a.memoryMb).slice(0, 30);
  const rows = list.map(
    (f) =>
      `<tr><td class="num">${f.vcpus}</td><td class="num">${gib(f.memoryMb)}</td><td class="num">${num(f.diskGb)} GB` +
      `</td><td class="num">${num(f.count)}</td><td class="num">${num(f.fitShared)}</td>` +
      `<td class="num">${num(f.fitLocal)}</td></tr>`,
  );
  return (
    `<table><thead><tr><th class="num">vCPU</th><th class="num">Memory</th><th class="num">Disk</th>` +
    `<th class="num">In this cell</th>` +
    `<th class="num">More that fit (shared storage)</th><th class="num">More that fit (local disk)</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>` +
    more(cell.fragmentation.length, list.length, 'flavor sizes')
  );
}

function metricRow(
  label: string,
  before: number | undefined,
  after: number | undefined,
  fmt: (x: number) => string,
): string {
  if (before === undefined || after === undefined) return '';
  const cls = after < before - 1e-9 ? 'better' : after > before + 1e-9 ? 'worse' : '';
  return `<tr><td>${label}</td><td class="num">${fmt(before)}</td><td class="num ${cls}">${fmt(after)}</td></tr>`;
}

function metricsTable(before: CellStats, after: CellStats): string {
  return (
    `<table><thead><tr><th>Metric</th><th class="num">Before</th><th class="num">After</th></tr></thead><tbody>` +
    metricRow('Imbalance (compared with the threshold)', imbalanceOf(before), imbalanceOf(after), num2) +
    metricRow('Highest memory allocation', before.memAlloc.max, after.memAlloc.max, pct) +
    metricRow('Memory imbalance (CV)', before.memAlloc.cv, after.memAlloc.cv, num2) +
    metricRow('Highest vCPU allocation', before.cpuAlloc.max, after.cpuAlloc.max, pct) +
    metricRow('vCPU imbalance (CV)', before.cpuAlloc.cv, after.cpuAlloc.cv, num2) +
    metricRow('Highest measured CPU', before.cpuUsage?.max, after.cpuUsage?.max, pct) +
    metricRow('Measured CPU imbalance (CV)', before.cpuUsage?.cv, after.cpuUsage?.cv, num2) +
    `</tbody></table>`
  );
}

export function tonightSection(cell: CellReport): string {
  const t = cell.tonight;
  if (t.error) return `<p class="note">Tonight's balance could not be planned: ${esc(t.error)}</p>`;
  const metrics = t.before && t.after ? metricsTable(t.before, t.after) : '';
  if (!t.moves.length) {
    const why = 'the cell is within the imbalance threshold or nothing can move';
    return `<p>Nothing would move tonight (${why}).</p>${metrics}`;
  }
  const moves = t.moves
    .slice(0, MAX_ROWS)
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td>${esc(m.from)}</td><td>${esc(m.to)}</td><td>${esc(m.mode)}</td>` +
        `<td class="num">${m.wave}</td><td class="num">${num(m.gib)}</td>` +
        `<td class="num">${num(m.estimatedSeconds)} s</td></tr>`,
    );
  return (
    `<p>${t.moves.length} migrations, ${num(t.gibToCopy)} GiB to copy.</p><div class="grid2"><div>${metrics}</div>` +
    `<div></div></div>` +
    `<h3>Moves</h3><table><thead><tr><th>Instance</th><th>From</th><th>To</th><th>Mode</th><th class="num">Wave</th>` +
    `<th class="num">GiB</th><th class="num">Estimate</th></tr></thead>` +
    `<tbody>${moves.join('')}</tbody></table>${more(t.moves.length, moves.length, 'moves')}`
  );
}

function patchVerdict(c: PatchCheck): string {
  if (c.patchable === true) return '<span class="badge ok">yes</span>';
  if (c.patchable === false) return '<span class="badge bad">no</span>';
  return '<span class="badge unk">not decided</span>';
}

const orDash = (x: number | null, fmt: (x: number) => string) => (x === null ? '&ndash;' : fmt(x));

/** Rolling maintenance of the cell now, one row per maxUnavailable; the failing step says why. */
export function patchingTable(cell: CellReport): string {
  const rows = cell.patching.map(
    (c) =>
      `<tr><td class="num">${c.maxUnavailable}</td><td>${patchVerdict(c)}</td>` +
      `<td class="num">${orDash(c.steps, num)}</td><td class="num">${orDash(c.moves, num)}</td>` +
      `<td class="num">${orDash(c.gibToCopy, num)}</td>` +
      `<td class="num">${orDash(c.instancesMovedTwiceOrMore, num)}</td>` +
      `<td class="num">${orDash(c.seconds, span)}</td><td>${c.reason ? esc(c.reason) : ''}</td></tr>`,
  );
  return (
    `<table><thead><tr><th class="num">Hosts out at once</th><th>Patchable now</th><th class="num">Steps</th>` +
    `<th class="num">Moves</th><th class="num">GiB to copy</th><th class="num">Moved twice</th>` +
    `<th class="num">Duration</th><th>Why not</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}
