/** Executor options, their defaults (in one place) and validation. */
import { z } from 'zod';

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

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const positive = z.number().positive();

/**
 * The one schema of executor options: the service's configuration checks its `executor` section
 * with it (every problem at once) and `resolveExecutorOptions` applies it for library users.
 * Every default is here.
 */
export const ExecutorOptionsSchema = z.strictObject({
  concurrency: z
    .strictObject({
      global: positiveInt.default(4),
      perHostOutbound: positiveInt.default(2),
      perHostInbound: positiveInt.default(2),
    })
    .prefault({}),
  pollIntervalMs: positive.default(1000),
  completionTimeoutPerGiBSeconds: positive.default(800),
  progressTimeoutSeconds: positive.default(150),
  onTimeout: z.enum(['abort', 'force_complete']).default('abort'),
  bandwidthMiBps: nonNegative.default(0),
  autoConverge: z.boolean().default(false),
  permitPostCopy: z.boolean().default(false),
  maxDowntimeMs: nonNegative.default(500),
  retries: z
    .strictObject({
      maxAttempts: positiveInt.default(3),
      backoffMs: nonNegative.default(2000),
      maxBackoffMs: nonNegative.default(60_000),
    })
    .prefault({}),
  maxReplans: nonNegative.default(3),
  cancelMode: z.enum(['wait', 'abort']).default('wait'),
  callTimeoutMs: positive.default(120_000),
}) satisfies z.ZodType<ExecutorOptions, unknown>;

export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = ExecutorOptionsSchema.parse({});

/** Thrown for an option outside its range; the message names every bad option and the value received. */
export class ExecutorOptionError extends RangeError {
  override name = 'ExecutorOptionError';
  readonly code = 'INVALID_EXECUTOR_OPTION';
}

function valueAt(doc: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = doc;
  for (const p of path) v = v == null ? undefined : (v as Record<PropertyKey, unknown>)[p];
  return v;
}

/** Applies defaults and validates; throws ExecutorOptionError naming every bad value. */
export function resolveExecutorOptions(input: ExecutorOptionsInput = {}): ExecutorOptions {
  const parsed = ExecutorOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `Expected \`${i.path.join('.')}\`: ${i.message}, got \`${String(valueAt(input, i.path))}\``,
  );
  throw new ExecutorOptionError(problems.join('; '));
}
