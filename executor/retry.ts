/** Retry policy: which failures are worth another attempt, and how long to wait first. */
import { HypervisorError } from './hypervisor/errors.js';
import type { RetryOptions } from './options.js';

/** Only transient hypervisor errors (connection trouble, busy daemon) are retried. */
export function isRetryable(err: unknown): boolean {
  return err instanceof HypervisorError && err.transient;
}

/** Exponential backoff: `backoffMs` before attempt 2, doubled for each later one, capped. */
export function backoffDelay(attemptsMade: number, o: RetryOptions): number {
  return Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
}
