/**
 * The express application. Built by a factory from its dependencies so tests and benchmarks
 * inject a store, an inventory source, a runner and a clock of their choice.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppDeps } from './deps.js';
import { authenticate } from './auth.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { createHttpMetrics, recordRequests } from './metrics/http-metrics.js';
import { registerPlanMetrics } from './metrics/plan-metrics.js';
import { createPlanRoutes } from './routes/create-plan.js';
import { hostRoutes } from './routes/hosts.js';
import { metaRoutes } from './routes/meta.js';
import { planRoutes } from './routes/plans.js';
import { reportRoutes } from './routes/reports.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Keeps a caller's X-Request-Id when it is well-formed (tracing across services), else a new UUID. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

export function createApp(deps: AppDeps): Express {
  const metrics = deps.metrics ?? createHttpMetrics();
  registerPlanMetrics(metrics.registry, deps.store);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(pinoHttp({
    logger: deps.log,
    genReqId: requestId,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  }));
  app.use(recordRequests(metrics));
  app.use(authenticate(deps.config.api.tokens));
  app.use(express.json({ limit: deps.config.api.bodyLimitBytes }));
  app.use(metaRoutes(deps, metrics));
  app.use(createPlanRoutes(deps));
  app.use(planRoutes(deps));
  app.use(hostRoutes(deps));
  app.use(reportRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
