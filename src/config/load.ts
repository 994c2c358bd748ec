/**
 * loadConfig: defaults (config/default.json) <- config file (`path` or REBALANCER_CONFIG, JSON or
 * YAML) <- environment (see env.ts), then validated with the zod schema. Every problem is
 * returned with its path; nothing throws for bad input.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatPath } from '../../planner/index.js';
import { PROJECT_ROOT } from '../version.js';
import { ConfigSchema, type Config } from './schema.js';
import { applyEnv } from './env.js';

import type { ConfigIssue } from './issue.js';

export type { ConfigIssue } from './issue.js';

export type LoadResult = { ok: true; config: Config; source: string | null } | { ok: false; errors: ConfigIssue[] };

export interface LoadOptions {
  /** Config file overriding the defaults; REBALANCER_CONFIG when absent. */
  path?: string;
  /** Environment for REBALANCER_CONFIG and REBALANCER_* overrides. @default process.env */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_CONFIG_FILE = join(PROJECT_ROOT, 'config/default.json');

type Doc = Record<string, unknown>;

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars from `over` replace those of `base`. */
export function deepMerge(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Doc, v) : v;
  }
  return out;
}

/** Reads a JSON or YAML file (by extension; YAML for anything but .json). */
export function readDocument(file: string): { ok: true; doc: unknown } | { ok: false; error: ConfigIssue } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      ok: false,
      error: {
        path: file,
        message: `cannot read config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      },
    };
  }
  try {
    return { ok: true, doc: extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text) };
  } catch (err) {
    return {
      ok: false,
      error: {
        path: file,
        message: `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      },
    };
  }
}

function valueAt(doc: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = doc;
  for (const p of path) v = v == null ? undefined : (v as Record<PropertyKey, unknown>)[p];
  return v;
}

/** Adds the value received, so the operator sees what was wrong (tokens are never echoed). */
function withReceived(message: string, value: unknown): string {
  if (value === undefined || typeof value === 'object') return message;
  const shown = JSON.stringify(value);
  return shown.length > 60 ? message : `${message}, got ${shown}`;
}

function crossChecks(config: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  config.hypervisors.forEach((h, i) => {
    if (seen.has(h.name))
      issues.push({
        path: `hypervisors[${i}].name`,
        message: `duplicate host name "${h.name}" (also hypervisors[${seen.get(h.name)}])`,
      });
    else seen.set(h.name, i);
  });
  const tokens = new Set<string>();
  config.api.tokens.forEach((t, i) => {
    if (tokens.has(t.token)) issues.push({ path: `api.tokens[${i}].token`, message: 'duplicate token' });
    tokens.add(t.token);
  });
  return issues;
}

export function loadConfig(options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const defaults = readDocument(DEFAULT_CONFIG_FILE);
  if (!defaults.ok) return { ok: false, errors: [defaults.error] };
  let doc = defaults.doc as Doc;
  const source = options.path ?? env.REBALANCER_CONFIG ?? null;
  if (source) {
    const file = readDocument(source);
    if (!file.ok) return { ok: false, errors: [file.error] };
    if (file.doc != null && !isObject(file.doc)) {
      return { ok: false, errors: [{ path: source, message: 'expected a mapping of settings at the top level' }] };
    }
    doc = deepMerge(doc, (file.doc ?? {}) as Doc);
  }
  const envIssues = applyEnv(doc, env);
  const parsed = ConfigSchema.safeParse(doc);
  const schemaIssues = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({
        path: formatPath(i.path),
        message: i.path.at(-1) === 'token' ? i.message : withReceived(i.message, valueAt(doc, i.path)),
      }));
  const errors = [...envIssues, ...schemaIssues, ...(parsed.success ? crossChecks(parsed.data) : [])];
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, config: inStateDirectory(parsed.data, env.STATE_DIRECTORY), source };
}

/**
 * Under systemd (`StateDirectory=`, which sets STATE_DIRECTORY, a colon-separated list) a relative
 * `store.path` lives in the first state directory, so the service's store never depends on its
 * working directory. Elsewhere a relative path stays relative to the working directory.
 */
function inStateDirectory(config: Config, stateDirectory: string | undefined): Config {
  const dir = stateDirectory?.split(':')[0];
  const path = config.store.path;
  if (!dir || path === ':memory:' || isAbsolute(path)) return config;
  return { ...config, store: { ...config.store, path: resolve(dir, path) } };
}

/** One line per problem, for people: `api.port: expected ...`. */
export function formatConfigErrors(errors: ConfigIssue[]): string {
  return errors.map((e) => `  ${e.path}: ${e.message}`).join('\n');
}
