/**
 * The OpenAPI 3.1 document served at GET /openapi.json, generated from the operation table
 * (./operations.ts) and the response schemas (./schemas.ts) with zod's JSON Schema output.
 */
import { z } from 'zod';
import { VERSION } from '../../version.js';
import { HEADERS, operations, type Operation, type ResponseSpec } from './operations.js';
import { paramShape } from './query.js';
import { ApiErrorBody, schemaRegistry } from './schemas.js';

type Doc = Record<string, unknown>;

const SAFE = Number.MAX_SAFE_INTEGER;

/** zod's JSON Schema without what OpenAPI does not need: `$schema`, `$id`, the safe-integer bounds of z.int(). */
function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (!node || typeof node !== 'object') return node;
  const out: Doc = {};
  for (const [k, v] of Object.entries(node as Doc)) {
    if (k === '$schema' || k === '$id') continue;
    if ((k === 'minimum' && v === -SAFE) || (k === 'maximum' && v === SAFE)) continue;
    out[k] = clean(v);
  }
  return out;
}

const REF_BASE = '#/components/schemas/';

/** A schema of the document: a $ref for a named one, else inline. */
function jsonSchema(schema: z.ZodType): Doc {
  const id = schemaRegistry.get(schema)?.id;
  if (id) return { $ref: `${REF_BASE}${id}` };
  return clean(z.toJSONSchema(schema, { io: 'output' })) as Doc;
}

function components(): Doc {
  const all = z.toJSONSchema(schemaRegistry, { io: 'output', uri: (id) => `${REF_BASE}${id}` });
  return clean(all.schemas) as Doc;
}

const ERRORS: Record<string, string> = {
  '400': 'Invalid or repeated parameters; each problem is listed in `details`',
  '401': 'Missing or invalid bearer token',
  '403': "The token's role does not allow this",
  '404': 'Unknown plan, host, cell or campaign',
  '405': 'The path does not take this method; `Allow` lists those it takes',
  '413': 'Request body too large',
  '500': 'Internal error (details are in the service log under the X-Request-Id)',
  '503': 'STORE_UNAVAILABLE: the store cannot serve now (the reason, e.g. "database or disk is full"); nothing changed',
};

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

function response(r: ResponseSpec): Doc {
  const headers: Doc = { 'X-Request-Id': header('X-Request-Id') };
  for (const h of r.headers ?? []) headers[h] = header(h);
  const out: Doc = { description: r.description, headers };
  if (r.empty) return out;
  if (r.content) {
    out.content = Object.fromEntries(Object.entries(r.content).map(([type, s]) => [type, { schema: jsonSchema(s) }]));
  } else {
    // an error response without its own body has the API's error shape
    out.content = { 'application/json': { schema: jsonSchema(r.body ?? ApiErrorBody) } };
  }
  return out;
}

function parameters(op: Operation): Doc[] {
  const inPath = Object.entries(op.pathParams ?? {}).map(([name, description]) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  const inQuery = Object.entries(op.query.shape).map(([name, s]) => {
    const { description, ...schema } = jsonSchema(s as z.ZodType);
    const { repeatable, required } = paramShape(s as z.ZodType);
    return {
      name,
      in: 'query',
      required,
      ...(description ? { description } : {}),
      schema,
      ...(repeatable ? { style: 'form', explode: true } : {}),
    };
  });
  return [...inPath, ...inQuery];
}

/** A POST's parameters as a JSON object body: the same schema as the query. */
function requestBody(op: Operation): Doc | null {
  if (op.method !== 'post' || !Object.keys(op.query.shape).length) return null;
  return {
    required: false,
    description: 'The parameters as a JSON object instead of (not as well as) the query string',
    content: { 'application/json': { schema: jsonSchema(op.query) } },
  };
}

function operation(operationId: string, op: Operation): Doc {
  const errors = op.ownErrors ? { '405': ERRORS['405'] } : ERRORS;
  const responses: Doc = {};
  for (const [status, description] of Object.entries(errors)) responses[status] = response({ description });
  for (const [status, r] of Object.entries(op.responses)) responses[status] = response(r);
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  const body = requestBody(op);
  return {
    summary: op.summary,
    operationId,
    ...(op.public ? { security: [] } : {}),
    parameters: parameters(op),
    ...(body ? { requestBody: body } : {}),
    responses: sorted,
  };
}

function paths(): Doc {
  const out: Record<string, Doc> = {};
  for (const [id, op] of Object.entries(operations) as Array<[string, Operation]>) {
    out[op.path] = { ...out[op.path], [op.method]: operation(id, op) };
  }
  return out;
}

/** Generated once per version (about 50 ms); each caller gets its own copy. */
const generated = new Map<string, string>();

export function openApiDocument(version = VERSION): Doc {
  let text = generated.get(version);
  if (text === undefined) {
    text = JSON.stringify(generate(version));
    generated.set(version, text);
  }
  return JSON.parse(text) as Doc;
}

function generate(version: string): Doc {
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
    paths: paths(),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Token from api.tokens; role read allows GET only' },
      },
      headers: Object.fromEntries(
        Object.entries(HEADERS).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      ),
      schemas: components(),
    },
  };
}
