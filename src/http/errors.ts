/**
 * The API's error shape: `{ error: { code, message, details[] } }` with a stable `code`. No stack
 * trace ever leaves the process; unexpected errors are logged and answered with INTERNAL.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import { requestLog } from './request-log.js';
import { storeFault } from '../store/faults.js';

export interface ErrorDetail {
  /** Parameter or field the detail is about (`host`, `threshold`, `body`). */
  path: string;
  message: string;
  /** Extra facts, e.g. the plan id holding a host. */
  [key: string]: unknown;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = [], code = 'INVALID_PARAMETER') =>
  new ApiError(400, code, message, details);
export const notFound = (code: string, message: string, details: ErrorDetail[] = []) =>
  new ApiError(404, code, message, details);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) =>
  new ApiError(409, code, message, details);

export function errorBody(code: string, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}

/** The path of a request URL, without its query. */
export const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

/** Unknown routes: 404 in the API's JSON shape. */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${pathOf(req.url)}`));
}

/** A request body that is not JSON (the body parser's error; see app.ts). */
export function invalidJson(): Error {
  return Object.assign(new Error('request body is not valid JSON'), { code: INVALID_JSON, statusCode: 400 });
}
const INVALID_JSON = 'REBALANCER_INVALID_JSON';

interface FrameworkError {
  code?: string;
  statusCode?: number;
}

/**
 * Maps errors to responses; body failures keep their status, a store that cannot serve (disk full,
 * read-only) is STORE_UNAVAILABLE 503 with SQLite's reason, everything else is INTERNAL.
 */
export function errorHandler(
  log: Logger,
  bodyLimit: number,
): (err: unknown, req: FastifyRequest, reply: FastifyReply) => void {
  return (err, req, reply) => {
    if (err instanceof ApiError) {
      void reply.code(err.status).send(errorBody(err.code, err.message, err.details));
      return;
    }
    const fw = (err ?? {}) as FrameworkError;
    if (fw.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      void reply
        .code(413)
        .send(
          errorBody('PAYLOAD_TOO_LARGE', `request body larger than ${bodyLimit} bytes`, [
            { path: 'body', message: `expected at most ${bodyLimit} bytes` },
          ]),
        );
      return;
    }
    if (fw.code === INVALID_JSON) {
      void reply
        .code(400)
        .send(
          errorBody('INVALID_BODY', 'request body is not valid JSON', [
            { path: 'body', message: 'expected a JSON object' },
          ]),
        );
      return;
    }
    if (fw.statusCode && fw.statusCode >= 400 && fw.statusCode < 500 && fw.code) {
      void reply
        .code(fw.statusCode)
        .send(errorBody('INVALID_BODY', `request body rejected (${fw.code})`, [{ path: 'body', message: fw.code }]));
      return;
    }
    const fault = storeFault(err);
    if (fault) {
      requestLog(log, req).error({ err }, 'store unavailable');
      const detail = { path: 'store', message: fault.reason, code: fault.code };
      void reply
        .code(503)
        .send(errorBody('STORE_UNAVAILABLE', `the store cannot serve this: ${fault.reason}`, [detail]));
      return;
    }
    requestLog(log, req).error({ err }, 'request failed');
    void reply.code(500).send(errorBody('INTERNAL', 'internal error; see the service log for the request id'));
  };
}
