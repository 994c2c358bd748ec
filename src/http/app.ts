/**
 * The HTTP application (fastify). Built by a factory from its dependencies so tests and benchmarks
 * inject a store, an inventory source, a runner and a clock of their choice.
 *
 * Fastify rather than express: on the project's 2-core machine express took 80-114 µs of the event
 * loop for a request before any of ours ran, fastify 30-32 µs, node:http alone 28 µs (a GET of a
 * 24 KB body, 10 clients); under the HTTP bench's load that time is what reads wait behind.
 *
 * A request goes through: request id and log line, metrics, authentication (onRequest hooks), the
 * body parser (JSON only; other bodies are read and ignored), the route, and on error the error
 * handler; a path no route serves gets 405 when the path exists with another method, else 404.
 */
import { createServer, type Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { systemClock } from '../../executor/clock.js';
import type { AppDeps } from './deps.js';
import { authenticate } from './auth.js';
import { errorHandler, invalidJson, notFoundHandler } from './errors.js';
import { createHttpMetrics, recordRequests } from './metrics/http-metrics.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { openApiDocument } from './contract/document.js';
import { registerPlanMetrics } from './metrics/plan-metrics.js';
import { registerHaMetrics } from './metrics/ha-metrics.js';
import { readinessCheck } from './readiness.js';
import { genReqId, requestLogging } from './request-log.js';
import { createPlanRoutes } from './routes/create-plan.js';
import { hostRoutes } from './routes/hosts.js';
import { metaRoutes } from './routes/meta.js';
import { planRoutes } from './routes/plans.js';
import { reportRoutes } from './routes/reports.js';
import { maintenanceRoutes } from './routes/maintenance.js';

/** The service's HTTP app. */
export interface HttpApp {
  /**
   * Listens like `http.Server#listen`: the server is returned at once and listens (or emits
   * `error`) once the routes are ready.
   */
  listen(port: number, host: string, onListening?: () => void): Server;
}

/** JSON bodies as express's strict parser took them: an object or an array; empty means none. */
function parseJsonBody(body: string): unknown {
  const first = body.trimStart()[0];
  if (first === undefined) return undefined;
  if (first !== '{' && first !== '[') throw invalidJson();
  try {
    return JSON.parse(body);
  } catch {
    throw invalidJson();
  }
}

function routes(app: FastifyInstance, deps: AppDeps): void {
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
  app.addHook('onRequest', requestLogging(deps.log));
  app.addHook('onResponse', recordRequests(metrics));
  app.addHook('onRequest', authenticate(deps.config.api.tokens));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // any other body is read (within the limit) and ignored, as parameters come from the query or JSON
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
  metaRoutes(app, deps, metrics, readiness);
  createPlanRoutes(app, deps);
  planRoutes(app, deps);
  hostRoutes(app, deps);
  reportRoutes(app, deps);
  if (deps.maintenance) maintenanceRoutes(app, deps.maintenance);
  const notAllowed = methodNotAllowed(openApiDocument().paths as Record<string, object>);
  app.setNotFoundHandler((req, reply) => notAllowed(req, reply) || notFoundHandler(req, reply));
  app.setErrorHandler(errorHandler(deps.log, deps.config.api.bodyLimitBytes));
}

export function createApp(deps: AppDeps): HttpApp {
  let server: Server | null = null;
  const app = Fastify({
    serverFactory: (handler) => {
      server = createServer(handler);
      return server;
    },
    genReqId,
    bodyLimit: deps.config.api.bodyLimitBytes,
    // plan ids, host and campaign names in paths; a longer segment is a 404
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: false,
  });
  routes(app, deps);
  const ready = app.ready();
  return {
    listen(port, host, onListening) {
      const s = server!;
      ready.then(
        () => s.listen(port, host, onListening),
        (err: unknown) => s.emit('error', err),
      );
      return s;
    },
  };
}
