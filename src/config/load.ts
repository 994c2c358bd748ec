/**
 * loadConfig: defaults (config/default.json, which holds every default) <- config file (`path` or
 * REBALANCER_CONFIG, JSON or YAML) <- environment (see env.ts) <- command-line flags, then
 * validated with the zod schema. Every problem is returned with its path and the source of the
 * offending value (the file, the environment variable or the flag); nothing throws for bad input.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatPath } from '../../planner/index.js';
import { PROJECT_ROOT } from '../version.js';
import { ConfigSchema, type Config } from './schema.js';
import { applyEnv, type EnvSetting } from './env.js';

import type { ConfigIssue } from './issue.js';

export type { ConfigIssue } from './issue.js';

export type LoadResult = { ok: true; config: Config; source: string | null } | { ok: false; errors: ConfigIssue[] };

export interface LoadOptions {
  /** Config file overriding the defaults; REBALANCER_CONFIG when absent. */
  path?: string;
  /** Environment for REBALANCER_CONFIG and REBALANCER_* overrides. @default process.env */
  env?: Record<string, string | undefined>;
  /** Settings given on the command line, applied last; `flag` names them in problems (e.g. `--port`). */
  flags?: FlagSetting[];
}

/** One setting from a command-line flag: the key it sets (`['api', 'port']`) and its value. */
export interface FlagSetting {
  flag: string;
  path: string[];
  value: unknown;
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
  const refused = (message: string) => ({ ok: false as const, error: { path: file, source: file, message } });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return refused(`cannot read config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { ok: true, doc: extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text) };
  } catch (err) {
    return refused(`not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
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

function crossChecks(config: Config): (ConfigIssue & { at: PropertyKey[] })[] {
  const issues: (ConfigIssue & { at: PropertyKey[] })[] = [];
  const seen = new Map<string, number>();
  config.hypervisors.forEach((h, i) => {
    if (seen.has(h.name))
      issues.push({
        path: `hypervisors[${i}].name`,
        message: `duplicate host name "${h.name}" (also hypervisors[${seen.get(h.name)}])`,
        at: ['hypervisors', i, 'name'],
      });
    else seen.set(h.name, i);
  });
  const tokens = new Set<string>();
  config.api.tokens.forEach((t, i) => {
    if (tokens.has(t.token))
      issues.push({ path: `api.tokens[${i}].token`, message: 'duplicate token', at: ['api', 'tokens', i, 'token'] });
    tokens.add(t.token);
  });
  return issues;
}

/** Where the layers of a configuration came from, to say which one gave an offending value. */
interface Layers {
  defaults: string;
  file: { name: string; doc: Doc } | null;
  env: EnvSetting[];
  flags: FlagSetting[];
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly string[]) =>
  prefix.length <= path.length && prefix.every((p, i) => String(path[i]) === p);

/** The source of the value at `path`: the last layer that set it or a key above it. */
function originOf(path: readonly PropertyKey[], layers: Layers): string {
  const flag = [...layers.flags].reverse().find((f) => startsWith(path, f.path));
  if (flag) return flag.flag;
  const env = [...layers.env].reverse().find((e) => startsWith(path, e.path));
  if (env) return env.variable;
  if (layers.file && valueAt(layers.file.doc, path) !== undefined) return layers.file.name;
  return layers.defaults;
}

export function loadConfig(options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const defaults = readDocument(DEFAULT_CONFIG_FILE);
  if (!defaults.ok) return { ok: false, errors: [defaults.error] };
  // store.path's default (SQLite) applies only when store.url (PostgreSQL) is not set either
  const { path: defaultStorePath, ...storeDefaults } = ((defaults.doc as Doc).store ?? {}) as Doc;
  let doc: Doc = { ...(defaults.doc as Doc), store: storeDefaults };
  const source = options.path ?? env.REBALANCER_CONFIG ?? null;
  const layers: Layers = { defaults: DEFAULT_CONFIG_FILE, file: null, env: [], flags: options.flags ?? [] };
  if (source) {
    const file = readDocument(source);
    if (!file.ok) return { ok: false, errors: [file.error] };
    if (file.doc != null && !isObject(file.doc)) {
      return {
        ok: false,
        errors: [{ path: source, message: 'expected a mapping of settings at the top level', source }],
      };
    }
    layers.file = { name: source, doc: (file.doc ?? {}) as Doc };
    doc = deepMerge(doc, layers.file.doc);
  }
  const fromEnv = applyEnv(doc, env);
  layers.env = fromEnv.applied;
  for (const f of layers.flags) setAt(doc, f.path, f.value);
  const store = doc.store;
  if (isObject(store) && store.path === undefined && store.url === undefined) store.path = defaultStorePath;
  const parsed = ConfigSchema.safeParse(doc);
  const schemaIssues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        // an unknown key is reported on its object: its source is the layer that wrote the key
        const at = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]] : i.path;
        return {
          path: formatPath(i.path),
          // tokens and URLs (which may hold a password) are never echoed
          message: ['token', 'url'].includes(String(i.path.at(-1)))
            ? i.message
            : withReceived(i.message, valueAt(doc, i.path)),
          source: originOf(at, layers),
        };
      });
  const crossIssues = parsed.success
    ? crossChecks(parsed.data).map(({ at, ...i }) => ({ ...i, source: originOf(at, layers) }))
    : [];
  const errors = [...fromEnv.issues, ...schemaIssues, ...crossIssues];
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, config: inStateDirectory(parsed.data, env.STATE_DIRECTORY), source };
}

function setAt(doc: Doc, path: readonly string[], value: unknown): void {
  let target = doc;
  for (const key of path.slice(0, -1)) {
    if (!isObject(target[key])) target[key] = {};
    target = target[key] as Doc;
  }
  target[path.at(-1)!] = value;
}

/**
 * Under systemd (`StateDirectory=`, which sets STATE_DIRECTORY, a colon-separated list) a relative
 * `store.path` lives in the first state directory, so the service's store never depends on its
 * working directory. Elsewhere a relative path stays relative to the working directory.
 */
function inStateDirectory(config: Config, stateDirectory: string | undefined): Config {
  const dir = stateDirectory?.split(':')[0];
  const path = config.store.path;
  if (!dir || path === undefined || path === ':memory:' || isAbsolute(path)) return config;
  return { ...config, store: { ...config.store, path: resolve(dir, path) } };
}

/** One line per problem, for people: `/etc/rebalancer.yaml: api.port: expected ...`. */
export function formatConfigErrors(errors: ConfigIssue[]): string {
  return errors
    .map((e) => `  ${e.source && e.source !== e.path ? `${e.source}: ` : ''}${e.path}: ${e.message}`)
    .join('\n');
}
