/**
 * Benchmark runner. Each suite module exports `run(opts)` returning tables; this prints them.
 * `npm run bench` runs all suites; `npm run bench -- planner` runs one; `--quick` uses small sizes.
 */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

export interface BenchOptions {
  quick: boolean;
}

const suites: Record<string, () => Promise<{ run: (o: BenchOptions) => Promise<BenchTable[]> }>> = {
  planner: () => import('./planner.bench.js'),
  executor: () => import('./executor.bench.js'),
  http: () => import('./http.bench.js'),
  inventory: () => import('./inventory.bench.js'),
  store: () => import('./store.bench.js'),
  cli: () => import('./cli.bench.js'),
};

function fmt(v: string | number): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1);
  return v;
}

export function renderTable(t: BenchTable): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(fmt))];
  const widths = t.columns.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? '').length)));
  const line = (r: (string | number)[]) => `| ${r.map((v, c) => String(v ?? '').padEnd(widths[c])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const out = [`### ${t.title}`, '', line(t.columns), rule];
  for (const r of cells.slice(1)) out.push(line(r));
  for (const n of t.notes ?? []) out.push('', n);
  return `${out.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const chosen = names.length ? names : Object.keys(suites);
  for (const name of chosen) {
    const load = suites[name];
    if (!load) {
      process.stderr.write(`bench: unknown suite "${name}" (known: ${Object.keys(suites).join(', ')})\n`);
      return 2;
    }
    const mod = await load();
    for (const table of await mod.run({ quick })) process.stdout.write(`${renderTable(table)}\n`);
  }
  return 0;
}
