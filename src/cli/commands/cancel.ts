import type { CommandIo } from '../io.js';

/** `rebalancer cancel` (placeholder until the command lands). */
export async function run(_argv: string[], io: CommandIo): Promise<number> {
  io.stderr('rebalancer cancel: not implemented yet\n');
  return 1;
}
