/**
 * The express application. Built by a factory from its dependencies so tests and benchmarks
 * inject a store, an inventory source, a runner and a clock of their choice.
 */
import express, { Router, type Express } from 'express';
import { systemClock } from '../../executor/clock.js';
import type { AppDeps } from './deps.js';
import { authenticate } from './auth.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { createHttpMetrics, recordRequests } from './metrics/http-metrics.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { openApiDocument } from './contract/document.js';
import { registerPlanMetrics } from './metrics/plan-metrics.js';
import { registerHaMetrics } from './metrics/ha-metrics.js';
import { readinessCheck } from './readiness.js';
import { requestLogging } from './request-log.js';
import { createPlanRoutes } from './routes/create-plan.js';
import { hostRoutes } from './routes/hosts.js';
import { metaRoutes } from './routes/meta.js';
import { planRoutes } from './routes/plans.js';
import { reportRoutes } from './routes/reports.js';
import { maintenanceRoutes } from './routes/maintenance.js';

export function createApp(deps: AppDeps): Express {
  const metrics = deps.metrics ?? createHttpMetrics();
  registerPlanMetrics(metrics.registry, deps.lifecycle.read);
  registerHaMetrics(metrics.registry, deps.leadership);
  const readiness =
    deps.readiness ??
    readinessCheck({
      store: deps.lifecycle.storeHealth,
      inventory: deps.inventorySource,
      clock: systemClock,
      maxAgeMs: deps.config.inventory.maxAgeSeconds * 1000,
    });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // No ETag hashed from every response body: the documented one, a stored plan's version, is set
  // by its route (GET /plans/:id) from its cached view; If-None-Match is still answered with 304.
  app.set('etag', false);
  app.use(requestLogging(deps.log));
  app.use(recordRequests(metrics));
  app.use(authenticate(deps.config.api.tokens));
  app.use(express.json({ limit: deps.config.api.bodyLimitBytes }));
  // Every route in one router: a request that passes through a router without matching waits for
  // the next turn of the event loop (setImmediate) before the next router sees it.
  const routes = Router();
  metaRoutes(routes, deps, metrics, readiness);
  createPlanRoutes(routes, deps);
  planRoutes(routes, deps);
  hostRoutes(routes, deps);
  reportRoutes(routes, deps);
  if (deps.maintenance) maintenanceRoutes(routes, deps.maintenance);
  app.use(routes);
  app.use(methodNotAllowed(openApiDocument().paths as Record<string, object>));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
