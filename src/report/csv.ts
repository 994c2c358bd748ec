/**
 * CSV rendering of the capacity report: one row per host. The rolling-maintenance forecast adds,
 * for each maxUnavailable N of PATCH_LEVELS, the host's step and what stays on it, and its cell's
 * figures (repeated on every host row of the cell).
 */
import { csvField } from './escape.js';
import type { Blocker, CapacityReport, CellReport, HostRow, PatchCheck } from './model.js';
import { PATCH_LEVELS } from './patching.js';

const PATCH_COLUMNS = PATCH_LEVELS.flatMap((n) => [
  `patch_max${n}_step`,
  `patch_max${n}_stays`,
  `cell_patch_max${n}_patchable`,
  `cell_patch_max${n}_steps`,
  `cell_patch_max${n}_gib`,
  `cell_patch_max${n}_minutes`,
  `cell_patch_max${n}_reason`,
]);

export const CSV_COLUMNS = [
  'cell',
  'host',
  'in_service',
  'maintenance',
  'instances',
  'vcpus_capacity',
  'vcpus_allocated',
  'cpu_used_cores',
  'memory_mb_capacity',
  'memory_mb_allocated',
  'disk_gb_capacity',
  'disk_gb_allocated',
  'drainable',
  'drain_method',
  'blockers',
  ...PATCH_COLUMNS,
] as const;

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/** Blockers as `name CODE: reason`, separated by ` | `. */
function blockers(list: readonly Blocker[]): string {
  return list.map((b) => `${b.name ? `${b.name} ` : ''}${b.code}: ${b.reason}`).join(' | ');
}

function patchValues(row: HostRow, check: PatchCheck | undefined): (string | number | boolean | null)[] {
  const k = check?.schedule.findIndex((s) => s.hosts.includes(row.host)) ?? -1;
  const step = k >= 0 ? check!.schedule[k] : null;
  const stays = step ? step.stays.filter((b) => b.host === row.host) : [];
  return [
    step ? k + 1 : null,
    blockers(stays),
    check?.patchable == null ? 'unknown' : check.patchable,
    check?.steps ?? null,
    check?.gibToCopy == null ? null : round(check.gibToCopy),
    check?.seconds == null ? null : round(check.seconds / 60),
    check?.reason ?? null,
  ];
}

function line(row: HostRow, cell: CellReport | undefined): string {
  const r = row.resources;
  const values = [
    row.cell,
    row.host,
    row.inService,
    row.maintenance,
    row.instances,
    round(r.vcpus.capacity),
    r.vcpus.allocated,
    round(r.vcpus.used),
    round(r.memoryMb.capacity),
    round(r.memoryMb.allocated),
    round(r.diskGb.capacity),
    round(r.diskGb.allocated),
    row.drain.drainable === null ? 'unknown' : row.drain.drainable,
    row.drain.method,
    blockers(row.drain.blockers),
    ...PATCH_LEVELS.flatMap((n) =>
      patchValues(
        row,
        cell?.patching.find((c) => c.maxUnavailable === n),
      ),
    ),
  ];
  return values.map(csvField).join(',');
}

/** Header line plus one line per host, CRLF-free (`\n`), ending with a newline. */
export function renderCsv(report: CapacityReport): string {
  const cells = new Map(report.cells.map((c) => [c.cell, c]));
  return `${[CSV_COLUMNS.join(','), ...report.hosts.map((h) => line(h, cells.get(h.cell)))].join('\n')}\n`;
}
