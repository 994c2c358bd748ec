/** GET /healthz and /readyz (no token), GET /metrics (Prometheus), GET /openapi.json. */
import type { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import { openApiDocument } from '../contract/document.js';
import { operations } from '../contract/operations.js';
import { readParams } from '../params.js';
import type { ReadinessCheck } from '../readiness.js';

export function metaRoutes(router: Router, deps: AppDeps, metrics: HttpMetrics, readiness: ReadinessCheck): void {
  const doc = JSON.stringify(openApiDocument());
  const role = () => deps.leadership?.role() ?? 'leader';
  router.get('/healthz', async (req, res) => {
    readParams(req, operations.health.query);
    try {
      await deps.lifecycle.read.listPlans({ limit: 1 });
      res.json({ status: 'ok', role: role() });
    } catch (err) {
      req.log.error({ err }, 'health check failed');
      res.status(503).json(errorBody('STORE_UNAVAILABLE', 'the store cannot be read'));
    }
  });
  router.get('/readyz', async (req, res) => {
    readParams(req, operations.ready.query);
    const r = await readiness();
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', role: role(), checks: r.checks });
  });
  router.get('/metrics', async (req, res) => {
    readParams(req, operations.metrics.query);
    const text = await metrics.registry.metrics();
    res.set('content-type', metrics.registry.contentType).send(text);
  });
  router.get('/openapi.json', (req, res) => {
    readParams(req, operations.openapi.query);
    res.type('application/json').send(doc);
  });
}
