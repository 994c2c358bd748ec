/** Mapping of libvirt errors (node-libvirt LibvirtError: message, code, domain) to HypervisorError. */
import { HypervisorError, type HypervisorErrorCode } from '../errors.js';

/** libvirt virErrorNumber values that decide the mapping. */
const VIR_ERR = {
  NO_CONNECT: 5,
  INVALID_CONN: 6,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  OPERATION_TIMEOUT: 68,
  OPERATION_ABORTED: 78,
  OPERATION_UNSUPPORTED: 84,
  AGENT_UNRESPONSIVE: 86,
  RESOURCE_BUSY: 87,
} as const;
/** virErrorDomain values of the RPC and remote layers (connection trouble). */
const FROM_REMOTE = 7;
const FROM_RPC = 49;

const CONNECTION_TEXT = new RegExp(
  [
    'failed to connect socket',
    'connection refused',
    'connection reset',
    'broken pipe',
    'end of file while reading',
    'client socket is closed',
    'cannot recv data',
    'cannot write data',
    'no route to host',
    'network is unreachable',
    'not connected',
    'keepalive timeout',
    'unable to connect to server',
    'is not connected',
  ].join('|'),
  'i',
);
const ABORT_TEXT = /canceled|cancelled|operation aborted/i;
const BUSY_TEXT = /cannot acquire state change lock|another migration job|job .* is active|timeout waiting for/i;

/** True when `err` says the connection to the daemon is broken (reconnect and maybe retry). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof HypervisorError) return false; // already classified (e.g. a failed migration)
  const e = err as { code?: number; domain?: number; message?: string };
  if (e?.code === VIR_ERR.NO_CONNECT || e?.code === VIR_ERR.INVALID_CONN) return true;
  if (e?.code === VIR_ERR.RPC) return true;
  if ((e?.domain === FROM_REMOTE || e?.domain === FROM_RPC) && e?.code === VIR_ERR.SYSTEM_ERROR) return true;
  return CONNECTION_TEXT.test(e?.message ?? '');
}

/**
 * Converts any error from a libvirt call into a HypervisorError with a stable code.
 * `what` names the operation and subject, e.g. `migrate small1 lab-a -> lab-b`.
 * `migration` marks errors of a migration call, whose generic failures are MIGRATION_FAILED.
 */
export function toHypervisorError(err: unknown, what: string, migration = false): HypervisorError {
  if (err instanceof HypervisorError) return err;
  const e = err as { code?: number; message?: string };
  const message = `${what}: ${e?.message ?? String(err)}`;
  const make = (code: HypervisorErrorCode, transient: boolean) =>
    new HypervisorError(code, message, transient, { cause: err });
  if (isConnectionError(err)) return make('HOST_UNREACHABLE', true);
  switch (e?.code) {
    case VIR_ERR.NO_DOMAIN:
      return make('NOT_FOUND', false);
    case VIR_ERR.OPERATION_ABORTED:
      return make('ABORTED', false);
    case VIR_ERR.OPERATION_UNSUPPORTED:
      return make('UNSUPPORTED', false);
    case VIR_ERR.RESOURCE_BUSY:
    case VIR_ERR.OPERATION_TIMEOUT:
    case VIR_ERR.AGENT_UNRESPONSIVE:
      return make('BUSY', true);
  }
  if (ABORT_TEXT.test(e?.message ?? '')) return make('ABORTED', false);
  if (BUSY_TEXT.test(e?.message ?? '')) return make('BUSY', true);
  if (migration) return make('MIGRATION_FAILED', false);
  // e.g. suspending a domain that is not running (any more) on that host
  if (/domain is not running/i.test(e?.message ?? '')) return make('NOT_FOUND', false);
  return make('INTERNAL', false);
}
