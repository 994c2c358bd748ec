/**
 * Settings from the environment: `REBALANCER_<KEY>__<KEY>...=value`, e.g.
 * `REBALANCER_API__PORT=9090` or `REBALANCER_PLANNER__TIMEOUT_PER_GIB_SECONDS=600`.
 * `__` separates levels; inside a level `_` and case are ignored when matching an existing key
 * (so TIMEOUT_PER_GIB_SECONDS finds timeoutPerGiBSeconds). Values are parsed as JSON when they
 * parse (numbers, booleans, arrays, objects), otherwise taken as strings.
 */
import type { ConfigIssue } from './issue.js';

const PREFIX = 'REBALANCER_';

type Doc = Record<string, unknown>;

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normalise(segment: string): string {
  return segment.replace(/_/g, '').toLowerCase();
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The key of `obj` that `segment` names, or its camelCase form when none matches. */
function keyFor(obj: Doc, segment: string): string {
  const wanted = normalise(segment);
  return Object.keys(obj).find((k) => normalise(k) === wanted) ?? camel(segment);
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A setting taken from the environment: the variable and the path of the key it set. */
export interface EnvSetting {
  variable: string;
  path: string[];
}

/**
 * Applies environment overrides to `doc` in place. Only variables whose first level names a
 * top-level key of `doc` count, so REBALANCER_CONFIG or REBALANCER_DEBUG are not settings.
 * Returns the problems and the settings applied (so a problem can name its variable).
 */
export function applyEnv(
  doc: Doc,
  env: Record<string, string | undefined>,
): { issues: ConfigIssue[]; applied: EnvSetting[] } {
  const issues: ConfigIssue[] = [];
  const applied: EnvSetting[] = [];
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const segments = name.slice(PREFIX.length).split('__');
    const top = Object.keys(doc).find((k) => normalise(k) === normalise(segments[0]));
    if (!top) continue;
    let target: Doc = doc;
    const path: string[] = [];
    for (const [i, seg] of segments.entries()) {
      const key = i === 0 ? top : keyFor(target, seg);
      path.push(key);
      if (i === segments.length - 1) {
        target[key] = parseValue(raw);
        applied.push({ variable: name, path: [...path] });
        break;
      }
      if (target[key] === undefined) target[key] = {};
      if (!isObject(target[key])) {
        issues.push({
          path: path.join('.'),
          message: `environment variable ${name} sets a key below "${path.join('.')}", which is not an object`,
          source: name,
        });
        break;
      }
      target = target[key] as Doc;
    }
  }
  return { issues, applied };
}
