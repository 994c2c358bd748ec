import type { BenchOptions, BenchTable } from './main.js';

/** executor benchmarks (placeholder until they land). */
export async function run(_o: BenchOptions): Promise<BenchTable[]> {
  return [{ title: 'executor', columns: ['status'], rows: [['not implemented yet']] }];
}
