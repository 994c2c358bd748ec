/** Errors raised by Hypervisor implementations. Retry decisions depend on `code` and `transient`. */

export type HypervisorErrorCode =
  | 'HOST_UNREACHABLE' // connection refused / reset / timed out
  | 'BUSY' // another job runs on the domain, or the daemon asked to retry
  | 'NOT_FOUND' // the domain is not on that host
  | 'ABORTED' // the migration job was aborted (by us or by an operator)
  | 'MIGRATION_FAILED' // libvirt/QEMU reported failure
  | 'UNSUPPORTED' // the driver cannot do this
  | 'INTERNAL';

export class HypervisorError extends Error {
  override name = 'HypervisorError';
  constructor(
    readonly code: HypervisorErrorCode,
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
