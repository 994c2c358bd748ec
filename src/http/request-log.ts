/**
 * Request logging: every request gets an id (the caller's X-Request-Id when well-formed, else a
 * UUID, echoed in the response) and `req.log`, a child logger carrying only that id; one line per
 * finished request with method, url, status and time. Request details are serialised when that
 * line is written and only when its level is enabled, not for every request up front: building
 * them eagerly cost about a quarter of a cached GET /plans/:id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Headers never written to the log. */
const SECRET_HEADERS = new Set(['authorization', 'cookie']);

declare module 'http' {
  interface IncomingMessage {
    id: string;
    log: Logger;
  }
}

/** Keeps a caller's X-Request-Id when it is well-formed (tracing across services), else a new UUID. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function levelOf(status: number, failed: boolean): 'error' | 'warn' | 'info' {
  return failed || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

function requestDetails(req: IncomingMessage) {
  const headers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = SECRET_HEADERS.has(k) ? '[redacted]' : v;
  return { id: req.id, method: req.method, url: req.url, headers, remoteAddress: req.socket?.remoteAddress };
}

export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    req.id = requestId(req, res);
    req.log = log.child({ reqId: req.id });
    res.once('close', () => {
      const level = levelOf(res.statusCode, !res.writableFinished);
      if (!req.log.isLevelEnabled(level)) return;
      const responseTime = Math.round(performance.now() - started);
      const msg = res.writableFinished ? 'request completed' : 'request aborted';
      req.log[level]({ req: requestDetails(req), res: { statusCode: res.statusCode }, responseTime }, msg);
    });
    next();
  };
}
