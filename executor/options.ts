/** Executor options, their defaults (in one place) and validation. */

export interface ConcurrencyLimits {
  /** Migrations in flight across the whole cluster. @default 4 */
  global: number;
  /** Migrations leaving one host at once (they share its NIC). @default 2 */
  perHostOutbound: number;
  /** Migrations arriving at one host at once. @default 2 */
  perHostInbound: number;
}

export interface RetryOptions {
  /** Attempts per move, the first included; only transient hypervisor errors are retried. @default 3 */
  maxAttempts: number;
  /** Wait before the second attempt; doubles with every further attempt. @default 2000 */
  backoffMs: number;
  /** Upper bound of the wait between attempts. @default 60000 */
  maxBackoffMs: number;
}

export type TimeoutAction = 'abort' | 'force_complete';
export type CancelMode = 'wait' | 'abort';

export interface ExecutorOptions {
  concurrency: ConcurrencyLimits;
  /** How often a running migration's progress is read and recorded. @default 1000 */
  pollIntervalMs: number;
  /**
   * Completion timeout per GiB copied, used for moves that carry no `timeoutSeconds` of their
   * own (plans computed by the planner always do: the same formula, 2 GiB floor). @default 800
   */
  completionTimeoutPerGiBSeconds: number;
  /** A migration whose remaining data has not decreased for this long counts as stalled. @default 150 */
  progressTimeoutSeconds: number;
  /**
   * What happens at the completion timeout or a stall: `abort` stops the migration and leaves the
   * VM on its source (the move ends `timed_out`); `force_complete` switches to post-copy when
   * `permitPostCopy` is set, otherwise pauses the guest until the copy finishes. @default 'abort'
   */
  onTimeout: TimeoutAction;
  /** Bandwidth cap per migration in MiB/s; 0 means unlimited. @default 0 */
  bandwidthMiBps: number;
  /** Let QEMU throttle the guest's CPUs so busy guests converge. @default false */
  autoConverge: boolean;
  /** Allow switching a migration to post-copy (only used by `force_complete`). @default false */
  permitPostCopy: boolean;
  /** Maximum guest pause at switch-over, ms (Nova's live_migration_downtime). @default 500 */
  maxDowntimeMs: number;
  retries: RetryOptions;
  /** Re-plans after failed or skipped moves before a plan is given up as failed. @default 3 */
  maxReplans: number;
  /** Cancellation mode when `cancel()` is called without one. @default 'wait' */
  cancelMode: CancelMode;
  /**
   * Deadline of each short hypervisor call (facts, locate, job progress, abort...); a call
   * without an answer by then fails as a transient HOST_UNREACHABLE. Not applied to `migrate`,
   * which the completion and stall timeouts bound. @default 120000
   */
  callTimeoutMs: number;
}

export type ExecutorOptionsInput = Partial<Omit<ExecutorOptions, 'concurrency' | 'retries'>> & {
  concurrency?: Partial<ConcurrencyLimits>;
  retries?: Partial<RetryOptions>;
};

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  concurrency: { global: 4, perHostOutbound: 2, perHostInbound: 2 },
  pollIntervalMs: 1000,
  completionTimeoutPerGiBSeconds: 800,
  progressTimeoutSeconds: 150,
  onTimeout: 'abort',
  bandwidthMiBps: 0,
  autoConverge: false,
  permitPostCopy: false,
  maxDowntimeMs: 500,
  retries: { maxAttempts: 3, backoffMs: 2000, maxBackoffMs: 60_000 },
  maxReplans: 3,
  cancelMode: 'wait',
  callTimeoutMs: 120_000,
};

/** Thrown for an option outside its range; the message names the option and the value received. */
export class ExecutorOptionError extends RangeError {
  override name = 'ExecutorOptionError';
  readonly code = 'INVALID_EXECUTOR_OPTION';
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new ExecutorOptionError(`Expected \`${name}\` to be a positive integer, got \`${v}\``);
}
function nonNegative(name: string, v: number): void {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v)))
    throw new ExecutorOptionError(`Expected \`${name}\` to be a non-negative number, got \`${v}\``);
}

/** Applies defaults and validates; throws ExecutorOptionError on the first bad value. */
export function resolveExecutorOptions(input: ExecutorOptionsInput = {}): ExecutorOptions {
  const d = DEFAULT_EXECUTOR_OPTIONS;
  const o: ExecutorOptions = {
    ...d,
    ...input,
    concurrency: { ...d.concurrency, ...input.concurrency },
    retries: { ...d.retries, ...input.retries },
  };
  positiveInt('concurrency.global', o.concurrency.global);
  positiveInt('concurrency.perHostOutbound', o.concurrency.perHostOutbound);
  positiveInt('concurrency.perHostInbound', o.concurrency.perHostInbound);
  positiveInt('retries.maxAttempts', o.retries.maxAttempts);
  nonNegative('retries.backoffMs', o.retries.backoffMs);
  nonNegative('retries.maxBackoffMs', o.retries.maxBackoffMs);
  if (!(o.pollIntervalMs > 0))
    throw new ExecutorOptionError(`Expected \`pollIntervalMs\` to be a positive number, got \`${o.pollIntervalMs}\``);
  if (!(o.completionTimeoutPerGiBSeconds > 0))
    throw new ExecutorOptionError(
      `Expected \`completionTimeoutPerGiBSeconds\` to be a positive number, got ` +
        `\`${o.completionTimeoutPerGiBSeconds}\``,
    );
  if (!(o.progressTimeoutSeconds > 0))
    throw new ExecutorOptionError(
      `Expected \`progressTimeoutSeconds\` to be a positive number, got \`${o.progressTimeoutSeconds}\``,
    );
  nonNegative('bandwidthMiBps', o.bandwidthMiBps);
  nonNegative('maxDowntimeMs', o.maxDowntimeMs);
  nonNegative('maxReplans', o.maxReplans);
  if (!['abort', 'force_complete'].includes(o.onTimeout))
    throw new ExecutorOptionError(`Expected \`onTimeout\` to be 'abort' or 'force_complete', got \`${o.onTimeout}\``);
  if (!(o.callTimeoutMs > 0))
    throw new ExecutorOptionError(`Expected \`callTimeoutMs\` to be a positive number, got \`${o.callTimeoutMs}\``);
  if (!['wait', 'abort'].includes(o.cancelMode))
    throw new ExecutorOptionError(`Expected \`cancelMode\` to be 'wait' or 'abort', got \`${o.cancelMode}\``);
  return o;
}
