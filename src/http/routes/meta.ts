/** GET /healthz and /readyz (no token), GET /metrics (Prometheus), GET /openapi.json. */
import type { ApiRequest, FastifyInstance, FastifyReply } from '../routing.js';
import { requestLog } from '../request-log.js';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import { openApiDocument } from '../contract/document.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';
import type { ReadinessCheck } from '../readiness.js';

export function metaRoutes(app: FastifyInstance, deps: AppDeps, metrics: HttpMetrics, readiness: ReadinessCheck): void {
  const doc = JSON.stringify(openApiDocument());
  const role = () => deps.leadership?.role() ?? 'leader';
  app.get('/healthz', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.health.query);
    try {
      await deps.lifecycle.read.listPlans({ limit: 1 });
      reply.send({ status: 'ok', role: role() });
    } catch (err) {
      requestLog(deps.log, req).error({ err }, 'health check failed');
      reply.code(503).send(errorBody('STORE_UNAVAILABLE', 'the store cannot be read'));
    }
  });
  app.get('/readyz', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.ready.query);
    const r = await readiness();
    reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', role: role(), checks: r.checks });
  });
  app.get('/metrics', async (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.metrics.query);
    const text = await metrics.registry.metrics();
    reply.header('content-type', metrics.registry.contentType).send(text);
  });
  app.get('/openapi.json', (req: ApiRequest, reply: FastifyReply) => {
    readParams(req, operations.openapi.query);
    reply.type('application/json').send(doc);
  });
}
