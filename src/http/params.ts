/**
 * Request parameters from the query string and, for POSTs, a JSON object body (same names).
 * Every problem is collected: unknown names, repeats, wrong types, missing required values.
 */
import type { Request } from 'express';
import { badRequest, type ErrorDetail } from './errors.js';

export type ParamType = 'string' | 'boolean' | 'number' | 'integer';

export interface ParamSpec {
  type: ParamType;
  /** May be given several times (`host=a&host=b`); the value is then an array. @default false */
  repeatable?: boolean;
  /** @default false */
  required?: boolean;
  /** Allowed values (strings). */
  oneOf?: readonly string[];
  /** Inclusive bounds (numbers). */
  min?: number;
  max?: number;
}

export type ParamSpecs = Record<string, ParamSpec>;

function shown(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v));
}

function convert(name: string, spec: ParamSpec, raw: unknown, issues: ErrorDetail[]): unknown {
  const value = convertType(name, spec.type, raw, issues);
  if (value === undefined) return undefined;
  if (spec.oneOf && !spec.oneOf.includes(value as string)) {
    issues.push({
      path: name,
      message: `expected one of ${spec.oneOf.map((v) => `"${v}"`).join(', ')}, got ${shown(raw)}`,
    });
  } else if (
    typeof value === 'number' &&
    ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
  ) {
    issues.push({
      path: name,
      message: `expected a value between ${spec.min ?? '-inf'} and ${spec.max ?? 'inf'}, got ${shown(raw)}`,
    });
  } else return value;
  return undefined;
}

function convertType(name: string, type: ParamType, raw: unknown, issues: ErrorDetail[]): unknown {
  if (type === 'string') {
    if (typeof raw === 'string' && raw.length > 0) return raw;
    issues.push({ path: name, message: `expected a non-empty string, got ${shown(raw)}` });
  } else if (type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    issues.push({ path: name, message: `expected true or false, got ${shown(raw)}` });
  } else {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (Number.isFinite(n) && (type === 'number' || Number.isInteger(n))) return n;
    issues.push({
      path: name,
      message: `expected ${type === 'integer' ? 'an integer' : 'a number'}, got ${shown(raw)}`,
    });
  }
  return undefined;
}

/** Query and body entries as [name, values]; a name given in both counts as repeated. */
function entries(req: Request): Array<[string, unknown[]]> {
  const out = new Map<string, unknown[]>();
  const add = (obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj)) out.set(k, [...(out.get(k) ?? []), ...(Array.isArray(v) ? v : [v])]);
  };
  add((req.query ?? {}) as Record<string, unknown>);
  const body = req.body as unknown;
  if (body && typeof body === 'object' && !Array.isArray(body)) add(body as Record<string, unknown>);
  return [...out.entries()];
}

/** Parses the request's parameters or throws a 400 listing every problem. */
export function readParams(req: Request, specs: ParamSpecs): Record<string, unknown> {
  const issues: ErrorDetail[] = [];
  const values: Record<string, unknown> = {};
  const body = req.body as unknown;
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    issues.push({ path: 'body', message: `expected a JSON object, got ${shown(body)}` });
  }
  const known = Object.keys(specs);
  for (const [name, raw] of entries(req)) {
    const spec = specs[name];
    if (!spec) {
      issues.push({
        path: name,
        message: `unknown parameter "${name}": expected one of ${known.map((k) => `"${k}"`).join(', ') || 'none'}`,
      });
      continue;
    }
    if (!spec.repeatable && raw.length > 1) {
      issues.push({ path: name, message: `parameter "${name}" given ${raw.length} times: expected it once` });
      continue;
    }
    const converted = raw.map((r) => convert(name, spec, r, issues));
    values[name] = spec.repeatable ? converted : converted[0];
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && values[name] === undefined && !issues.some((i) => i.path === name)) {
      issues.push({
        path: name,
        message: `missing parameter "${name}": expected ${spec.repeatable ? 'one or more values' : 'a value'}`,
      });
    }
  }
  if (issues.length) throw badRequest(`invalid request parameters: ${issues.map((i) => i.path).join(', ')}`, issues);
  return values;
}
