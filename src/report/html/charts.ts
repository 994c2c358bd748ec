/**
 * Inline SVG charts of the report page. Each bar carries a <title>, so a pointer shows the
 * figures without any script. All text is escaped.
 */
import { escapeHtml as esc } from '../escape.js';
import { drainLabel, type CellReport, type HostRow, type ResourceFigures } from '../model.js';
import { num, pct, ratio } from './format.js';

const W = 1000;
const PAD = { left: 44, right: 12, top: 26, bottom: 22 };

function barColor(row: HostRow): string {
  if (!row.inService) return 'var(--unk)';
  if (row.drain.drainable === true) return 'var(--ok)';
  return row.drain.drainable === false ? 'var(--bad)' : 'var(--unk)';
}

function drainText(row: HostRow): string {
  if (row.drain.drainable === null) return 'drain: not decided';
  return row.drain.drainable ? drainLabel(row.drain) : `not drainable (${row.drain.blockers.length} blocking)`;
}

/**
 * Allocation per host as a share of its capacity, one bar per host (hosts in the given order),
 * with a dashed line at 100% of capacity.
 */
export function allocationChart(rows: readonly HostRow[], resource: 'vcpus' | 'memoryMb', label: string): string {
  const H = 200;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const shares = rows.map((r) => ratio(r.resources[resource].allocated, r.resources[resource].capacity));
  const top = Math.max(1, ...shares) * 1.05;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const step = plotW / Math.max(1, rows.length);
  const barW = Math.max(1, step * 0.8);
  const bars = rows.map((r, k) => {
    const f = r.resources[resource];
    const h = Math.max(0.5, y(0) - y(shares[k]));
    const tip = `${r.host}: ${num(f.allocated)} of ${num(f.capacity)} ${label} (${pct(shares[k])}), ${drainText(r)}`;
    return (
      `<rect class="bar" x="${(PAD.left + k * step).toFixed(2)}" y="${(y(0) - h).toFixed(2)}" ` +
      `width="${barW.toFixed(2)}" height="${h.toFixed(2)}" fill="${barColor(r)}"><title>${esc(tip)}</title></rect>`
    );
  });
  const grid = [0.25, 0.5, 0.75, 1]
    .filter((v) => v <= top)
    .map(
      (v) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e7eb"/>` +
        `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#616e7c">${pct(v)}</text>`,
    );
  const cap =
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(1)}" y2="${y(1)}" stroke="#d64545" ` +
    `stroke-width="1.5" stroke-dasharray="6 4"/><text x="${W - PAD.right}" y="${y(1) - 5}" text-anchor="end" ` +
    `font-size="11" fill="#d64545">capacity</text>`;
  const title =
    `<text x="${PAD.left}" y="16" font-size="13" font-weight="600" fill="#334e68">${esc(label)} ` +
    `allocation per host (${rows.length} hosts)</text>`;
  const axis =
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#9aa5b1"/>` +
    `<text x="${PAD.left}" y="${H - 6}" font-size="11" fill="#616e7c">hosts, fullest memory first</text>`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)} ` +
    `allocation per host">${title}${grid.join('')}${bars.join('')}${axis}${cap}</svg>`
  );
}

interface HeadroomLine {
  label: string;
  f: ResourceFigures;
  unit: string;
  scale: number;
}

/** One horizontal bar per resource: allocated share of capacity, the rest is headroom. */
export function headroomChart(cell: CellReport): string {
  const lines: HeadroomLine[] = [
    { label: 'vCPU', f: cell.resources.vcpus, unit: 'vCPU', scale: 1 },
    { label: 'Memory', f: cell.resources.memoryMb, unit: 'GiB', scale: 1 / 1024 },
    { label: 'Local disk', f: cell.resources.diskGb, unit: 'GB', scale: 1 },
  ];
  const rowH = 34;
  const H = lines.length * rowH + 10;
  const x0 = 110;
  const barW = 400;
  const parts = lines.map((l, k) => {
    const share = Math.min(1, Math.max(0, ratio(l.f.allocated, l.f.capacity)));
    const y = 8 + k * rowH;
    const text =
      `${num(l.f.allocated * l.scale)} of ${num(l.f.capacity * l.scale)} ${l.unit} allocated ` +
      `(${pct(ratio(l.f.allocated, l.f.capacity))}), headroom ${num(l.f.headroom * l.scale)} ${l.unit}`;
    return (
      `<text x="0" y="${y + 15}" font-size="13" fill="#334e68">${esc(l.label)}</text>` +
      `<rect class="bar" x="${x0}" y="${y}" width="${barW}" height="20" rx="3" fill="var(--free)"><title>${esc(text)}` +
      `</title></rect>` +
      `<rect class="bar" x="${x0}" y="${y}" width="${Math.max(1, share * barW).toFixed(1)}" height="20" rx="3" ` +
      `fill="var(--alloc)"><title>${esc(text)}</title></rect>` +
      `<text x="${x0 + barW + 10}" y="${y + 15}" font-size="12" fill="#616e7c">${esc(text)}</text>`
    );
  });
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
    `aria-label="headroom">${parts.join('')}</svg>`
  );
}
