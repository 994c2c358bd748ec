/**
 * Which PostgreSQL failures mean "the store cannot serve now" (src/store/faults.ts asks this for
 * every error): the server is unreachable or went away (connection refused or reset, connection
 * terminated, shutting down, starting up, too many connections), out of disk or memory,
 * read-only (a standby, `default_transaction_read_only`), or too slow (a statement cancelled at
 * `statement_timeout`). Anything else is a bug or bad input.
 */
import type { WriteFault } from '../../../executor/store.js';

/** A store fault (src/store/faults.ts `StoreFault`). */
type StoreFault = Omit<WriteFault, 'at'>;

/** SQLSTATE classes and codes of an unavailable server (PostgreSQL manual, appendix A). */
const UNAVAILABLE_CLASSES = ['08', '53', '58'];
const UNAVAILABLE_CODES = ['25006', '57014', '57P01', '57P02', '57P03', '57P05'];
/** Errors of the socket under the connection. */
const NETWORK = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
];
/** node-postgres' own words when the connection is gone or never came. */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Query read timeout$/,
];

/** The fault `err` means, when it is one of PostgreSQL's unavailable-now failures; else null. */
export function postgresFault(err: unknown): StoreFault | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in err) {
    if (!UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) && !UNAVAILABLE_CODES.includes(code)) return null;
    const gone = code.startsWith('08') || code.startsWith('57P') || code === '53300';
    const what = gone
      ? 'is unreachable'
      : code === '25006'
        ? 'is read-only'
        : code === '57014'
          ? 'did not finish in time'
          : 'cannot take the write';
    return { code: `PG_${code}`, reason: `the database ${what}: ${err.message}` };
  }
  if (typeof code === 'string' && NETWORK.includes(code))
    return { code, reason: `the database is unreachable: ${err.message}` };
  if (CLIENT_MESSAGES.some((m) => m.test(err.message)))
    return { code: 'PG_CONNECTION', reason: `the database is unreachable: ${err.message}` };
  return null;
}
