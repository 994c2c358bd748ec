/**
 * Benchmark runner. Each suite module exports `run(opts)` returning tables; this prints them.
 * `npm run bench` runs all suites; `npm run bench -- planner` runs one; `--quick` uses small sizes.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

/**
 * Several suites run one after the other, each in a process of its own: a suite that ends with a
 * large heap (the planner's regions) would otherwise slow the next one's load generator (the HTTP
 * suite's GET p99 read 11-15 ms after the planner suites in one process, 4-7 ms on its own).
 */
export async function main(argv: string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const quick = flags.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const chosen = names.length ? names : Object.keys(suites);
  const unknown = chosen.find((n) => !suites[n]);
  if (unknown !== undefined) {
    process.stderr.write(`bench: unknown suite "${unknown}" (known: ${Object.keys(suites).join(', ')})\n`);
    return 2;
  }
  if (chosen.length > 1) {
    const bin = fileURLToPath(new URL('../bin/bench.js', import.meta.url));
    for (const name of chosen) {
      const r = spawnSync(process.execPath, [bin, name, ...flags], { stdio: 'inherit' });
      if (r.status !== 0) return r.status ?? 1;
    }
    return 0;
  }
  const mod = await suites[chosen[0]]();
  for (const table of await mod.run({ quick })) process.stdout.write(`${renderTable(table)}\n`);
  return 0;
}
