/**
 * What the read-only commands (`plans`, `hosts`) share beside src/cli/setup.ts: the plan
 * lifecycle over the service's store for reading, the output format, and how a rejected option
 * is told.
 */
import { systemClock } from '../../executor/clock.js';
import type { Config } from '../config/index.js';
import type { ErrorDetail } from '../http/errors.js';
import { createPlanLifecycle, type PlanLifecycle } from '../orchestrate/lifecycle.js';
import type { ServiceStore } from '../store/port.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(format: string | undefined): { ok: true; value: Format } | { ok: false; message: string } {
  if (format === undefined) return { ok: true, value: 'text' };
  if ((FORMATS as readonly string[]).includes(format)) return { ok: true, value: format as Format };
  return { ok: false, message: `--format: expected one of ${FORMATS.join(', ')}, got "${format}"` };
}

/** `--limit: expected ...` for each problem an operation's parameter schema found in the options. */
export function optionIssues(issues: ErrorDetail[]): string {
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return issues.map((i) => `${flag(i.path)}: ${i.message}`).join('\n');
}

/** The plan lifecycle over `store`, for reading: it never collects an inventory. */
export function readingLifecycle(store: ServiceStore, config: Config): PlanLifecycle {
  return createPlanLifecycle({
    store,
    clock: systemClock,
    settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
    collect: () => Promise.reject(new Error('this command only reads the store')),
  });
}
