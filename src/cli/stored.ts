/**
 * What the read-only commands (`plans`, `hosts`) share: the configuration, the service's store
 * file read through the plan lifecycle (as the maintenance and report commands do; a running
 * service sees the same file), the output format, and how a rejected option is told.
 */
import { existsSync } from 'node:fs';
import { systemClock } from '../../executor/clock.js';
import { formatConfigErrors, loadConfig, type Config } from '../config/index.js';
import type { ErrorDetail } from '../http/errors.js';
import { createPlanLifecycle, type PlanLifecycle } from '../orchestrate/lifecycle.js';
import { openStore } from '../store/sqlite.js';
import type { ServiceStore } from '../store/port.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export type Opened<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseFormat(format: string | undefined): Opened<Format> {
  if (format === undefined) return { ok: true, value: 'text' };
  if ((FORMATS as readonly string[]).includes(format)) return { ok: true, value: format as Format };
  return { ok: false, message: `--format: expected one of ${FORMATS.join(', ')}, got "${format}"` };
}

export function readConfig(path: string | undefined): Opened<Config> {
  const loaded = loadConfig({ path, env: process.env });
  if (!loaded.ok) return { ok: false, message: `invalid configuration\n${formatConfigErrors(loaded.errors)}` };
  return { ok: true, value: loaded.config };
}

/** `--limit: expected ...` for each problem an operation's parameter schema found in the options. */
export function optionIssues(issues: ErrorDetail[]): string {
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return issues.map((i) => `${flag(i.path)}: ${i.message}`).join('\n');
}

/**
 * The plan lifecycle over the service's store (`store.path`), for reading; `missing` when no
 * store exists there (nothing was ever stored; none is created).
 */
export function openLifecycle(
  config: Config,
  opts: { mustExist: boolean },
): Opened<{ lifecycle: PlanLifecycle; store: ServiceStore }> {
  const path = config.store.path;
  const exists = path !== ':memory:' && existsSync(path);
  if (!exists && opts.mustExist)
    return { ok: false, message: `no store at ${path} (store.path): no plan was ever stored here` };
  const store = openStore(exists ? path : ':memory:');
  const lifecycle = createPlanLifecycle({
    store,
    clock: systemClock,
    settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
    collect: () => Promise.reject(new Error('this command only reads the store')),
  });
  return { ok: true, value: { lifecycle, store } };
}
