import type { CommandIo } from '../io.js';

/** `rebalancer drain` (placeholder until the command lands). */
export async function run(_argv: string[], io: CommandIo): Promise<number> {
  io.stderr('rebalancer drain: not implemented yet\n');
  return 1;
}
