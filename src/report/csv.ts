/** CSV rendering of the capacity report: one row per host. */
import { csvField } from './escape.js';
import type { CapacityReport, HostRow } from './model.js';

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
] as const;

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/** Blockers as `name CODE: reason`, separated by ` | `. */
function blockers(row: HostRow): string {
  return row.drain.blockers.map((b) => `${b.name ? `${b.name} ` : ''}${b.code}: ${b.reason}`).join(' | ');
}

function line(row: HostRow): string {
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
    blockers(row),
  ];
  return values.map(csvField).join(',');
}

/** Header line plus one line per host, CRLF-free (`\n`), ending with a newline. */
export function renderCsv(report: CapacityReport): string {
  return `${[CSV_COLUMNS.join(','), ...report.hosts.map(line)].join('\n')}\n`;
}
