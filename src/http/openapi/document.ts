/** The OpenAPI 3.1 description of the API, served at GET /openapi.json. */
import { PLAN_STATUSES } from '../../orchestrate/lifecycle.js';
import { VERSION } from '../../version.js';
import { schemas } from './schemas.js';
import { maintenancePaths, maintenanceSchemas } from './maintenance.js';

type Doc = Record<string, unknown>;

const json = (schema: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const ok = (description: string, schema: string) => ({ description, ...json(schema) });
const err = (description: string) => ({ description, ...json('Error') });

const errors = {
  '400': err('Invalid or repeated parameters; each problem is listed in `details`'),
  '401': err('Missing or invalid bearer token'),
  '403': err("The token's role does not allow this"),
  '404': err('Unknown plan, host or cell'),
  '405': err('The path does not take this method; `Allow` lists those it takes'),
  '413': err('Request body too large'),
  '500': err('Internal error (details are in the service log under the X-Request-Id)'),
  '503': err(
    'STORE_UNAVAILABLE: the store cannot serve now (the reason, e.g. "database or disk is full"); nothing changed',
  ),
};

type P = {
  name: string;
  in?: 'query' | 'path';
  type?: string;
  required?: boolean;
  repeat?: boolean;
  description: string;
  enum?: string[];
};
const param = (p: P) => {
  const base: Doc = { type: p.type ?? 'string', ...(p.enum ? { enum: p.enum } : {}) };
  return {
    name: p.name,
    in: p.in ?? 'query',
    required: p.required ?? p.in === 'path',
    description: p.description,
    schema: p.repeat ? { type: 'array', items: base } : base,
    ...(p.repeat ? { style: 'form', explode: true } : {}),
  };
};

const planId = param({ name: 'id', in: 'path', description: 'Plan id' });
const hostName = param({ name: 'name', in: 'path', description: 'Host name from the inventory' });
const execute = param({ name: 'execute', type: 'boolean', description: 'Start executing the plan at once' });
const dryRun = param({
  name: 'dryRun',
  type: 'boolean',
  description: 'Plan only: return the plan with status 200, store nothing, claim no host',
});

const created = { '200': ok('Dry run: the plan, nothing stored', 'DryRunPlan'), '201': ok('Plan stored', 'Plan') };

const paths: Doc = {
  '/plans/drain': {
    post: {
      summary: 'Plan emptying hosts (and put them in maintenance)',
      operationId: 'drain',
      parameters: [
        param({ name: 'host', required: true, repeat: true, description: 'Host to drain (repeatable)' }),
        param({ name: 'cell', description: 'Guard: the hosts must be in this cell' }),
        execute,
        dryRun,
      ],
      responses: {
        ...created,
        ...errors,
        '409': err(
          'A host is being drained by an active plan (planned, running or cancelling); details name the plan. Hosts ' +
            'whose drain ended or in manual maintenance may be drained again',
        ),
      },
    },
  },
  '/plans/balance': {
    post: {
      summary: 'Plan balancing cells',
      operationId: 'balance',
      parameters: [
        param({ name: 'cell', repeat: true, description: 'Cell to balance (repeatable); all when absent' }),
        param({ name: 'threshold', type: 'number', description: 'Imbalance below which nothing moves (0..1)' }),
        param({ name: 'maxMoves', type: 'integer', description: 'Most moves in the plan' }),
        execute,
        dryRun,
      ],
      responses: { ...created, ...errors },
    },
  },
  '/plans': {
    get: {
      summary: 'List plans, newest first',
      operationId: 'listPlans',
      parameters: [
        param({
          name: 'status',
          repeat: true,
          description: 'Only plans in these states',
          enum: [...PLAN_STATUSES],
        }),
        param({ name: 'limit', type: 'integer', description: '1..1000, default 100' }),
        param({
          name: 'after',
          description: 'Cursor: the `next` of the previous page (only plans listed after that plan id)',
        }),
      ],
      responses: { '200': ok('Plans, and `next` (a cursor, null on the last page)', 'PlanList'), ...errors },
    },
  },
  '/plans/{id}': {
    get: {
      summary: "A plan with each move's state, progress and the ETA",
      operationId: 'getPlan',
      parameters: [planId],
      responses: { '200': ok('The plan', 'Plan'), ...errors },
    },
  },
  '/plans/{id}/execute': {
    post: {
      summary: 'Re-verify the plan against a fresh inventory and start it',
      operationId: 'executePlan',
      parameters: [planId],
      responses: {
        '202': ok('Execution started', 'Plan'),
        ...errors,
        '409': err(
          'Plan not in status planned, or no longer valid for the current inventory (PLAN_STALE lists the violations)',
        ),
      },
    },
  },
  '/plans/{id}/cancel': {
    post: {
      summary: 'Cancel a planned or running plan',
      operationId: 'cancelPlan',
      parameters: [planId],
      responses: {
        '200': ok('Planned plan cancelled', 'Plan'),
        '202': ok('Cancellation requested', 'Plan'),
        ...errors,
        '409': err('The plan already ended'),
      },
    },
  },
  '/plans/{id}/events': {
    get: {
      summary: 'Execution events of a plan',
      operationId: 'planEvents',
      parameters: [
        planId,
        param({ name: 'after', type: 'integer', description: 'Only events with a larger id' }),
        param({ name: 'limit', type: 'integer', description: '1..1000, default 200' }),
      ],
      responses: { '200': ok('Events in order', 'EventList'), ...errors },
    },
  },
  '/hosts': {
    get: {
      summary: 'Hosts with utilisation and maintenance',
      operationId: 'listHosts',
      parameters: [param({ name: 'cell', description: 'Only hosts of this cell' })],
      responses: { '200': ok('Hosts', 'HostList'), ...errors },
    },
  },
  '/hosts/{name}': {
    get: {
      summary: 'One host and its instances',
      operationId: 'getHost',
      parameters: [hostName],
      responses: { '200': ok('The host', 'HostDetail'), ...errors },
    },
  },
  '/hosts/{name}/maintenance': {
    post: {
      summary: 'Put a host in maintenance or end it',
      operationId: 'setMaintenance',
      parameters: [
        hostName,
        param({ name: 'enabled', type: 'boolean', required: true, description: 'true starts, false ends maintenance' }),
        param({ name: 'reason', description: 'Why (enabled=true)' }),
      ],
      responses: {
        '200': ok('The host', 'HostDetail'),
        ...errors,
        '409': err('Held by another claim, or its drain is still running'),
      },
    },
  },
  '/reports/capacity': {
    get: {
      summary: 'Capacity-review report',
      operationId: 'capacityReport',
      parameters: [
        param({ name: 'format', enum: ['html', 'json', 'csv'], description: 'Overrides the Accept header' }),
      ],
      responses: {
        '200': {
          description: 'The report',
          content: {
            'text/html': { schema: { type: 'string' } },
            'application/json': { schema: { type: 'object' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        ...errors,
        '406': err('No acceptable format'),
      },
    },
  },
  '/healthz': {
    get: {
      summary: 'Liveness (no token needed)',
      operationId: 'health',
      security: [],
      responses: { '200': ok('Alive', 'Health'), '405': errors['405'], '503': err('Store unavailable') },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness (no token needed): store writable, hypervisors answering, inventory fresh',
      operationId: 'ready',
      security: [],
      responses: {
        '200': ok('Ready', 'Readiness'),
        '405': errors['405'],
        '503': ok('Not ready: the failing checks say why', 'Readiness'),
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics',
      operationId: 'metrics',
      responses: {
        '200': {
          description: 'Text exposition format 0.0.4',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        ...errors,
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document',
      operationId: 'openapi',
      responses: {
        '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
        ...errors,
      },
    },
  },
};

const headers = {
  'X-Request-Id': {
    description: "The request's id (the caller's when well-formed, else generated); the service log carries it",
    schema: { type: 'string' },
  },
  Location: { description: 'Address of the stored plan', schema: { type: 'string' } },
  Link: { description: 'The next page (rel="next"), present unless this is the last page', schema: { type: 'string' } },
  ETag: {
    description: 'Version of a plan that is not running; send it back in If-None-Match',
    schema: { type: 'string' },
  },
};
const header = (name: keyof typeof headers) => ({ $ref: `#/components/headers/${name}` });

/** The parameters of a POST as a JSON object body, the same names and types as the query. */
function bodyOf(op: Doc): Doc | null {
  const query = ((op.parameters ?? []) as Doc[]).filter((p) => p.in === 'query');
  if (!query.length) return null;
  const properties = Object.fromEntries(
    query.map((p) => [p.name, { ...(p.schema as Doc), description: p.description }]),
  );
  const required = query.filter((p) => p.required).map((p) => p.name);
  const schema = { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
  return {
    required: false,
    description: 'The parameters as a JSON object instead of (not as well as) the query string',
    content: { 'application/json': { schema } },
  };
}

/** Headers every response carries, Location on 201, ETag and 304 on a plan; POST bodies. */
function withHeaders(all: Doc): Doc {
  const out: Doc = {};
  for (const [path, ops] of Object.entries(all)) {
    const next: Doc = {};
    for (const [method, op] of Object.entries(ops as Record<string, Doc>)) {
      const responses: Doc = {};
      for (const [status, r] of Object.entries(op.responses as Record<string, Doc>)) {
        const extra: Doc = { 'X-Request-Id': header('X-Request-Id') };
        if (status === '201') extra.Location = header('Location');
        if (path === '/plans/{id}' && method === 'get' && status === '200') extra.ETag = header('ETag');
        if (path === '/plans' && method === 'get' && status === '200') extra.Link = header('Link');
        responses[status] = { ...r, headers: extra };
      }
      if (path === '/plans/{id}' && method === 'get') {
        responses['304'] = {
          description: 'Not modified: If-None-Match named the current ETag',
          headers: { 'X-Request-Id': header('X-Request-Id'), ETag: header('ETag') },
        };
      }
      const body = method === 'post' ? bodyOf(op) : null;
      next[method] = { ...op, ...(body ? { requestBody: body } : {}), responses };
    }
    out[path] = next;
  }
  return out;
}

export function openApiDocument(version = VERSION): Doc {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rebalancer',
      version,
      description: 'Plans and executes live migrations of VMs across libvirt/KVM hosts.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This service (paths relative to where this document is served)' }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths: withHeaders({ ...paths, ...maintenancePaths(ok, errors, err) }),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Token from api.tokens; role read allows GET only' },
      },
      headers,
      schemas: { ...schemas, ...maintenanceSchemas },
    },
  };
}
