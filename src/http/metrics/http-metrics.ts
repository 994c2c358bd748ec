/** Request metrics of the API and the express middleware that records them. */
import type { RequestHandler } from 'express';
import { Registry, type Metric } from './registry.js';

export interface HttpMetrics {
  registry: Registry;
  requests: Metric;
  duration: Metric;
}

export function createHttpMetrics(registry = new Registry()): HttpMetrics {
  return {
    registry,
    requests: registry.counter('rebalancer_http_requests_total', 'HTTP requests by method, route and status'),
    duration: registry.histogram(
      'rebalancer_http_request_duration_seconds',
      'HTTP request latency',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
  };
}

/** Records each request under its route pattern (`/plans/:id`), never the raw path. */
export function recordRequests(m: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      m.requests.inc(labels);
      m.duration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
