/** Output channels for commands, so tests can capture them without touching process streams. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (human output and progress display by default). */
  isTty: boolean;
}

export const defaultIo: CommandIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
};
