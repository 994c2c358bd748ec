import type { CommandIo } from '../io.js';

/** `rebalancer report` (placeholder until the command lands). */
export async function run(_argv: string[], io: CommandIo): Promise<number> {
  io.stderr('rebalancer report: not implemented yet\n');
  return 1;
}
