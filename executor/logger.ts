/** The slice of pino the executor uses, so any pino logger (or a test double) fits. */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  child: () => silentLogger,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
