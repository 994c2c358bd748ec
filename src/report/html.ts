/**
 * HTML rendering of the capacity report: one self-contained page (inline CSS and SVG, system
 * fonts, no scripts, no external requests), readable when printed or mailed as a file.
 */
import { escapeHtml as esc } from './escape.js';
import type { CapacityReport, CellReport, HostRow } from './model.js';
import { allocationChart, headroomChart } from './html/charts.js';
import { num, pct, ratio } from './html/format.js';
import { STYLE } from './html/style.js';
import { cellSummaryTable, fragmentationTable, nPlusOneTable, patchingTable, tonightSection } from './html/tables.js';

const LEGEND =
  '<p class="legend"><span><i style="background:var(--ok)"></i>drainable now</span><span>' +
  '<i style="background:var(--bad)"></i>not drainable</span>' +
  '<span><i style="background:var(--unk)"></i>out of service or not decided</span><span>' +
  '<i style="background:#d64545;height:2px"></i>capacity (100%)</span></p>';

/** Fullest memory first, so both charts show the hosts in the same order. */
function byMemoryShare(rows: readonly HostRow[]): HostRow[] {
  const share = (r: HostRow) => ratio(r.resources.memoryMb.allocated, r.resources.memoryMb.capacity);
  return [...rows].sort((a, b) => share(b) - share(a) || a.host.localeCompare(b.host));
}

function patchLimits(p: CapacityReport['settings']['patching']): string {
  const c = p.concurrency;
  const cap = p.bandwidthMiBps > 0 ? `, at most ${num(p.bandwidthMiBps)} MiB/s each` : '';
  return (
    `${c.global} migrations at once, ${c.perHostOutbound} out / ${c.perHostInbound} in per host${cap}, ` +
    `${num(p.migrationOverheadSeconds)} s set-up per migration and ${num(p.patchMinutes)} min to patch a host ` +
    `(the hosts of a step at the same time)`
  );
}

function cellSection(cell: CellReport, rows: readonly HostRow[]): string {
  const ordered = byMemoryShare(rows);
  const cpu =
    cell.cpuUtilisation === null
      ? 'no CPU measurement'
      : `measured CPU use ${pct(cell.cpuUtilisation)} of physical cores`;
  const allocation = allocationChart(ordered, 'memoryMb', 'Memory') + allocationChart(ordered, 'vcpus', 'vCPU');
  return `<section class="cell" id="cell-${esc(cell.cell)}">
<h2>Cell ${esc(cell.cell)}</h2>
<p class="note">${cell.hosts} hosts (${cell.inServiceHosts} in service), ${cell.instances} instances, ${esc(cpu)}.</p>
<h3>Headroom</h3>${headroomChart(cell)}
<h3>Allocation per host</h3>${LEGEND}${allocation}
<h3>N+1: can each host be drained now?</h3>${nPlusOneTable(cell, rows)}
<h3>Fragmentation: how many more instances of each size fit</h3>${fragmentationTable(cell)}
<h3>Tonight's balance</h3>${tonightSection(cell)}
<h3>Rolling maintenance: can the cell be patched now?</h3>${patchingTable(cell)}
</section>`;
}

export function renderHtml(report: CapacityReport): string {
  const rowsOf = (cell: string) => report.hosts.filter((h) => h.cell === cell);
  const s = report.settings;
  const maint = s.maintenanceHosts.length ? s.maintenanceHosts.map(esc).join(', ') : 'none';
  const limit = s.maxMoves === null ? 'no move limit' : `at most ${s.maxMoves} moves`;
  const generated =
    `Generated ${esc(report.generatedAt)} &middot; ${report.cells.length} cells, ${report.hosts.length} hosts ` +
    `&middot; built in ${num(report.timings.totalMs)} ms (N+1 ${num(report.timings.nPlusOneMs)} ms, ` +
    `rolling maintenance ${num(report.timings.patchingMs)} ms)`;
  const note =
    `Plan only: nothing was moved. Hosts in maintenance (never targets): ${maint}. ` +
    `Tonight's balance uses threshold ${num(s.threshold)}, ${limit}, ${s.frozenInstances} instances in cool-down. ` +
    `Rolling-maintenance durations assume ${patchLimits(s.patching)}.`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Capacity review ${esc(report.generatedAt)}</title><style>${STYLE}</style></head>
<body><header><h1>Capacity review</h1>
<p>${generated}</p></header>
<main><p class="note">${note}</p>
${cellSummaryTable(report.cells)}
${report.cells.map((c) => cellSection(c, rowsOf(c.cell))).join('\n')}
</main></body></html>
`;
}
