import type { BenchOptions, BenchTable } from './main.js';

/** planner benchmarks (placeholder until they land). */
export async function run(_o: BenchOptions): Promise<BenchTable[]> {
  return [{ title: 'planner', columns: ['status'], rows: [['not implemented yet']] }];
}
