/**
 * The service logger (pino). Context first, constant messages, errors under `err`. The
 * authorization header is redacted wherever a request is logged: tokens never reach the logs.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  /** pino level. @default 'info' */
  level?: string;
  /** Where the JSON lines go. @default stdout */
  destination?: DestinationStream;
}

/** Paths removed from every log line: request headers carrying credentials. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
];

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { service: 'rebalancer' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Child logger for one plan: every line carries the plan id. */
export function planLogger(log: Logger, planId: string): Logger {
  return log.child({ planId });
}
