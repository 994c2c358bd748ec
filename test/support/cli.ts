/** Command output captured in memory, for tests that run CLI commands in-process. */
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export function captureIo(isTty = false): { io: CommandIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io: CommandIo = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    isTty,
    stderrIsTty: isTty,
  };
  return { io, out };
}

/** Runs `rebalancer <argv>` in-process; resolves with its exit status and what it printed. */
export async function runCli(argv: string[], isTty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo(isTty);
  const code = await main(argv, io);
  return { code, ...out };
}
