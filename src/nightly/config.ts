/**
 * Configuration of nightly balancing (the `nightly` section of the service configuration).
 * Every option has its default here; `NightlyConfigSchema.parse({})` gives the defaults.
 */
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const NightlyConfigSchema = z.strictObject({
  /** Schedule the nightly run at all. @default true */
  enabled: z.boolean().default(true),
  /** When the run starts: a cron expression (5 fields, or 6 with seconds) in `timezone`. @default '0 2 * * *' */
  schedule: z
    .string()
    .refine((s) => validateCron(s), {
      error: (iss) => `expected a cron expression such as "0 2 * * *", got "${String(iss.input)}"`,
    })
    .default('0 2 * * *'),
  /** IANA time zone of `schedule` and `windowEnd`. @default 'UTC' */
  timezone: z
    .string()
    .refine(isTimeZone, {
      error: (iss) => `expected an IANA time zone such as "Europe/Berlin", got "${String(iss.input)}"`,
    })
    .default('UTC'),
  /** Local time (HH:MM in `timezone`) after which no new migration starts; running ones finish. @default '05:00' */
  windowEnd: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM such as "05:00"')
    .default('05:00'),
  /** `report` plans and stores the plan only; `execute` also runs it. @default 'report' */
  mode: z.enum(['report', 'execute']).default('report'),
  /** Imbalance (coefficient of variation of memory allocation) below which nothing moves. @default 0.1 */
  threshold: z.number().min(0).default(0.1),
  /** Most migrations planned in one night. @default 20 */
  maxMovesPerNight: z.number().int().positive().default(20),
  /** Instances moved within this many hours are not moved again (anti-oscillation). @default 24 */
  cooldownHours: z.number().min(0).default(24),
  /** Cells to balance; all cells when empty. @default [] */
  cells: z.array(z.string().min(1)).default([]),
});

/** Nightly settings with every default applied. */
export type NightlyConfig = z.infer<typeof NightlyConfigSchema>;
/** Nightly settings as written in a configuration file. */
export type NightlyConfigInput = z.input<typeof NightlyConfigSchema>;

/** The defaults, for callers that have no configuration file. */
export function defaultNightlyConfig(): NightlyConfig {
  return NightlyConfigSchema.parse({});
}
