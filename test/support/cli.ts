/** Command output captured in memory, for tests that run CLI commands in-process. */
import type { CommandIo } from '../../src/cli/io.js';

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
