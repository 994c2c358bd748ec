/** GET /healthz (no token), GET /metrics (Prometheus), GET /openapi.json. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry.js';
import { openApiDocument } from '../openapi/document.js';
import { readParams } from '../params.js';

export function metaRoutes(deps: AppDeps, metrics: HttpMetrics): Router {
  const router = Router();
  const doc = JSON.stringify(openApiDocument());
  router.get('/healthz', (req, res) => {
    try {
      deps.store.listPlans({ limit: 1 });
      res.json({ status: 'ok' });
    } catch (err) {
      req.log.error({ err }, 'health check failed');
      res.status(503).json(errorBody('STORE_UNAVAILABLE', 'the store cannot be read'));
    }
  });
  router.get('/metrics', (req, res) => {
    readParams(req, {});
    res.type(PROMETHEUS_CONTENT_TYPE).send(metrics.registry.render());
  });
  router.get('/openapi.json', (req, res) => {
    readParams(req, {});
    res.type('application/json').send(doc);
  });
  return router;
}
