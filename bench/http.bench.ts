import type { BenchOptions, BenchTable } from './main.js';

/** http benchmarks (placeholder until they land). */
export async function run(_o: BenchOptions): Promise<BenchTable[]> {
  return [{ title: 'http', columns: ['status'], rows: [['not implemented yet']] }];
}
