/**
 * The API's error shape: `{ error: { code, message, details[] } }` with a stable `code`. No stack
 * trace ever leaves the process; unexpected errors are logged and answered with INTERNAL.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
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

/** Unknown routes: 404 in the API's JSON shape. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Maps errors to responses; body-parser failures keep their status, a store that cannot serve (disk
 * full, read-only) is STORE_UNAVAILABLE 503 with SQLite's reason, everything else is INTERNAL.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof ApiError) {
    res.status(err.status).json(errorBody(err.code, err.message, err.details));
    return;
  }
  const bp = err as BodyParserError;
  if (bp.type === 'entity.too.large') {
    res
      .status(413)
      .json(
        errorBody('PAYLOAD_TOO_LARGE', `request body larger than ${bp.limit} bytes`, [
          { path: 'body', message: `expected at most ${bp.limit} bytes` },
        ]),
      );
    return;
  }
  if (bp.type === 'entity.parse.failed') {
    res
      .status(400)
      .json(
        errorBody('INVALID_BODY', 'request body is not valid JSON', [
          { path: 'body', message: 'expected a JSON object' },
        ]),
      );
    return;
  }
  if (bp.status && bp.status >= 400 && bp.status < 500 && bp.type) {
    res
      .status(bp.status)
      .json(errorBody('INVALID_BODY', `request body rejected (${bp.type})`, [{ path: 'body', message: bp.type }]));
    return;
  }
  const fault = storeFault(err);
  if (fault) {
    req.log?.error({ err }, 'store unavailable');
    const detail = { path: 'store', message: fault.reason, code: fault.code };
    res.status(503).json(errorBody('STORE_UNAVAILABLE', `the store cannot serve this: ${fault.reason}`, [detail]));
    return;
  }
  req.log?.error({ err }, 'request failed');
  res.status(500).json(errorBody('INTERNAL', 'internal error; see the service log for the request id'));
};
