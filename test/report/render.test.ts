import { describe, expect, it } from 'vitest';
import { buildCapacityReport } from '../../src/report/build.js';
import { renderCsv, CSV_COLUMNS } from '../../src/report/csv.js';
import { csvField, escapeHtml } from '../../src/report/escape.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { scenario } from './fixtures.js';

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '"' && text[k + 1] === '"') {
        field += '"';
        k++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

/** An inventory whose names try to break out of HTML, SVG and CSV. */
function hostile() {
  const inv = scenario('storage-modes');
  inv.hosts[0].name += '<script>alert("x")</script>';
  inv.hosts[0].cell = 'cell<b>1</b>';
  for (const i of inv.instances) {
    if (i.host === 's0') i.host = inv.hosts[0].name;
    i.name = `${i.name}, "quoted" & <i>'odd'</i>`;
  }
  for (const h of inv.hosts) h.cell = 'cell<b>1</b>';
  return inv;
}

describe('CSV', () => {
  it('has one row per host with the documented columns', () => {
    const r = buildCapacityReport(scenario('cell-boundary'), { now: 0 });
    const rows = parseCsv(renderCsv(r));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + 8);
    const c1h0 = Object.fromEntries(rows[0].map((k, j) => [k, rows.find((x) => x[1] === 'c1-h0')![j]]));
    expect(c1h0).toMatchObject({
      cell: 'cell1',
      host: 'c1-h0',
      in_service: 'true',
      drainable: 'false',
      drain_method: 'planner',
    });
    expect(Number(c1h0.vcpus_allocated)).toBeGreaterThan(0);
    expect(c1h0.blockers).toMatch(/^vm-\S+ NO_CAPACITY: instance vm-\S+: no compatible host in cell cell1 has room/);
    expect(rows.filter((x) => x[0] === 'cell2').every((x) => x[12] === 'true')).toBe(true);
  });

  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    const rows = parseCsv(renderCsv(buildCapacityReport(hostile(), { now: 0 })));
    expect(rows.every((x) => x.length === CSV_COLUMNS.length)).toBe(true);
    expect(rows.find((x) => x[1].startsWith('s0<script>'))![14]).toContain('"quoted" & <i>');
  });
});

describe('HTML', () => {
  it('escapes every inventory text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderHtml(buildCapacityReport(hostile(), { now: 0 }));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>1</b>');
    expect(html).not.toContain("<i>'odd'</i>");
    expect(html).toContain('s0&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('cell&lt;b&gt;1&lt;/b&gt;');
  });

  it('is one self-contained page: inline SVG charts, no scripts, no external resources', () => {
    const r = buildCapacityReport(scenario('cell-boundary'), { now: 0 });
    const html = renderHtml(r);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:\/\//i);
    // per cell: headroom + memory + vCPU allocation charts
    expect(html.match(/<svg /g)).toHaveLength(3 * r.cells.length);
    expect(html).toContain('N+1: can each host be drained now?');
    expect(html).toContain('c1-h0');
  });
});

describe('JSON', () => {
  it('is the model itself', () => {
    const r = buildCapacityReport(scenario('seed-example'), { now: 0 });
    expect(JSON.parse(renderJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});
