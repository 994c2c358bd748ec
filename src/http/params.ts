/**
 * Request parameters from the query string and, for POSTs, a JSON object body (same names),
 * validated by the operation's zod schema (src/http/contract/operations.ts), the one the OpenAPI
 * document is generated from. Every problem is collected: unknown names, repeats, wrong types,
 * missing required values; each says which parameter and what was expected.
 */
import { z } from 'zod';
import { paramShape, type ParamsSchema } from './contract/query.js';
import { badRequest, type ErrorDetail } from './errors.js';

/** What parameters are read from: the parsed query string and JSON body of a request. */
interface Request {
  query?: unknown;
  body?: unknown;
}

function shown(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v));
}

type Json = Record<string, unknown>;

function bounds(s: Json, what: string): string {
  const min = s.minimum as number | undefined;
  const max = s.maximum as number | undefined;
  const safe = Number.MAX_SAFE_INTEGER;
  const lo = min !== undefined && min !== -safe ? min : undefined;
  const hi = max !== undefined && max !== safe ? max : undefined;
  if (lo !== undefined && hi !== undefined) return `${what} between ${lo} and ${hi}`;
  if (lo !== undefined) return `${what} >= ${lo}`;
  if (hi !== undefined) return `${what} <= ${hi}`;
  return what;
}

/** What a value must be, in words, from the parameter's JSON Schema (the documented contract). */
function expectation(s: Json): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => shown(v)).join(', ')}`;
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'integer') return bounds(s, 'an integer');
  if (s.type === 'number') return bounds(s, 'a number');
  if (s.type === 'string') return (s.minLength as number) > 0 ? 'a non-empty string' : 'a string';
  return 'a valid value';
}

const expectations = new WeakMap<z.ZodType, string>();
function expected(item: z.ZodType): string {
  let e = expectations.get(item);
  if (e === undefined) {
    e = expectation(z.toJSONSchema(item, { io: 'output' }) as Json);
    expectations.set(item, e);
  }
  return e;
}

/** Query and body entries as [name, values]; a name given in both counts as repeated. */
function entries(req: Request): Array<[string, unknown[]]> {
  const out = new Map<string, unknown[]>();
  const add = (obj: Json) => {
    for (const [k, v] of Object.entries(obj)) out.set(k, [...(out.get(k) ?? []), ...(Array.isArray(v) ? v : [v])]);
  };
  add((req.query ?? {}) as Json);
  const body = req.body as unknown;
  if (body && typeof body === 'object' && !Array.isArray(body)) add(body as Json);
  return [...out.entries()];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ErrorDetail[] };

/**
 * Checks named values (each name with the values given for it) against an operation's parameter
 * schema: the HTTP query and body, or a command's options (`rebalancer plans list`).
 */
export function parseParams<S extends ParamsSchema>(given: Array<[string, unknown[]]>, schema: S): Parsed<z.output<S>> {
  const issues: ErrorDetail[] = [];
  const values: Json = {};
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  for (const [name, raw] of given) {
    const field = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!field) {
      issues.push({
        path: name,
        message: `unknown parameter "${name}": expected one of ${known.map((k) => `"${k}"`).join(', ') || 'none'}`,
      });
      continue;
    }
    const { item, repeatable } = paramShape(field);
    if (!repeatable && raw.length > 1) {
      issues.push({ path: name, message: `parameter "${name}" given ${raw.length} times: expected it once` });
      continue;
    }
    const parsed = raw.map((r) => {
      const one = item.safeParse(r);
      if (!one.success) issues.push({ path: name, message: `expected ${expected(item)}, got ${shown(r)}` });
      return one.data;
    });
    values[name] = repeatable ? parsed : parsed[0];
  }
  for (const [name, field] of Object.entries(shape)) {
    const { repeatable, required } = paramShape(field);
    if (required && values[name] === undefined && !issues.some((i) => i.path === name)) {
      issues.push({
        path: name,
        message: `missing parameter "${name}": expected ${repeatable ? 'one or more values' : 'a value'}`,
      });
    }
  }
  if (issues.length) return { ok: false, issues };
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data as z.output<S> };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: String(i.path[0] ?? 'query'), message: i.message })),
  };
}

/** Parses the request's parameters with the operation's schema or throws a 400 listing every problem. */
export function readParams<S extends ParamsSchema>(req: Request, schema: S): z.output<S> {
  const body = req.body as unknown;
  const bodyIssues: ErrorDetail[] =
    body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))
      ? [{ path: 'body', message: `expected a JSON object, got ${shown(body)}` }]
      : [];
  const parsed = parseParams(entries(req), schema);
  const issues = [...bodyIssues, ...(parsed.ok ? [] : parsed.issues)];
  if (parsed.ok && !issues.length) return parsed.value;
  throw badRequest(`invalid request parameters: ${issues.map((i) => i.path).join(', ')}`, issues);
}
