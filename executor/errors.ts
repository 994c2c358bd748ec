/** Errors of the executor itself (expected move outcomes are values, not errors). */

export type ExecutorErrorCode =
  | 'PLAN_NOT_FOUND'
  | 'PLAN_NOT_RUNNABLE'
  | 'PLAN_ALREADY_RUNNING'
  | 'EXECUTOR_STOPPED'
  | 'MANDATE_LAPSED';

export class ExecutorError extends Error {
  override name = 'ExecutorError';
  constructor(
    readonly code: ExecutorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Stable codes the executor records on moves that did not succeed. Hypervisor error codes
 * (MIGRATION_FAILED, HOST_UNREACHABLE, ...) pass through as they are (StoredError.code).
 */
export type MoveErrorCode =
  | 'VM_NOT_ON_SOURCE' // skipped: the VM left its source before the move started
  | 'VM_STATE_CHANGED' // skipped: the VM's power state no longer fits the planned mode
  | 'SOURCE_UNREACHABLE'
  | 'DEST_UNREACHABLE'
  | 'DEST_DISABLED'
  | 'DEST_NO_ROOM' // the destination lacks memory once migrations in flight are counted
  | 'COMPLETION_TIMEOUT'
  | 'STALLED' // remaining data stopped decreasing for progressTimeoutSeconds
  | 'NOT_ON_DESTINATION' // the hypervisor reported success but the VM is not (only) on the destination
  | 'INTERRUPTED' // the executor stopped during the move and the attempts are used up
  | 'CANCELLED';

/** Reads a stable code and message from anything thrown. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : 'INTERNAL',
      message: typeof e.message === 'string' ? e.message : String(err),
    };
  }
  return { code: 'INTERNAL', message: String(err) };
}
