/**
 * The service's Prometheus registry (prom-client): the standard process and Node.js metrics, the
 * build info, and the request metrics of the API with the hook that records them.
 */
import type { onResponseHookHandler } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../../version.js';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** A registry with process_* and nodejs_* metrics and `rebalancer_build_info{version}`. */
export function serviceRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // gauges named like counters (promtool lint rejects them); nodejs_active_*{type} carry the same counts
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
  const info = new Gauge({
    name: 'rebalancer_build_info',
    help: 'Version of the running service (always 1)',
    labelNames: ['version'],
    registers: [registry],
  });
  info.set({ version: VERSION }, 1);
  return registry;
}

export function createHttpMetrics(registry = serviceRegistry()): HttpMetrics {
  return {
    registry,
    requests: new Counter({
      name: 'rebalancer_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'rebalancer_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/** Records each request under its route pattern (`/plans/:id`), never the raw path. */
export function recordRequests(m: HttpMetrics): onResponseHookHandler {
  return (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    m.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    m.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  };
}
