/** Output channels for commands, so tests can capture them without touching process streams. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (human output by default). */
  isTty: boolean;
  /** True when stderr is a terminal: the progress display, written there, is redrawn only then. @default false */
  stderrIsTty?: boolean;
}

export const defaultIo: CommandIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
  stderrIsTty: Boolean(process.stderr.isTTY),
};

/** Exit status of a program whose reader went away, as one stopped by SIGPIPE reports it (128 + 13). */
export const BROKEN_PIPE_STATUS = 141;

/**
 * Ends the process quietly when its output cannot be written: the reader of a pipe left
 * (`rebalancer report ... | head -c 10`: EPIPE, exit 141) or the output failed otherwise (one line
 * on stderr, exit 1). Without this, the stream's error event ends the process with a stack trace.
 */
export function endQuietlyOnOutputErrors(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
  exit: (status: number) => void = (status) => process.exit(status),
): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return exit(BROKEN_PIPE_STATUS);
      if (stream !== process.stderr)
        process.stderr.write(`rebalancer: cannot write output: ${err.message}\n`, () => {});
      exit(1);
    });
  }
}
