/**
 * The configuration schema. Every default of the service lives in config/default.json (data only);
 * this schema checks the merged result (defaults <- config file <- environment <- flags) and reports
 * every problem at once. The executor, nightly and maintenance sections keep their schemas' own
 * defaults for callers without a configuration (the executor as a library, tests);
 * test/config/defaults.test.ts checks that the file says the same.
 */
import { z } from 'zod';
import { NightlyConfigSchema } from '../nightly/config.js';
import { MaintenanceConfigSchema } from '../maintenance/config.js';
import { ExecutorOptionsSchema } from '../../executor/options.js';

const nonEmpty = z.string().min(1);

export const TokenSchema = z.strictObject({
  /** Bearer token; at least 16 characters so it cannot be guessed. */
  token: z.string().min(16, 'expected a token of at least 16 characters'),
  /** `admin`: every endpoint; `read`: GET endpoints only. */
  role: z.enum(['admin', 'read']),
});

export const ApiSchema = z.strictObject({
  /** Listen address. @default '127.0.0.1' */
  host: nonEmpty,
  /** Listen port; 0 picks a free port. @default 8080 */
  port: z.number().int().min(0).max(65535),
  /** Accepted bearer tokens. Required when `host` is not a loopback address. @default [] */
  tokens: z.array(TokenSchema),
  /** Largest accepted request body in bytes (larger bodies get 413). @default 65536 */
  bodyLimitBytes: z.number().int().positive(),
});

/** One hypervisor host (see HostConfig in executor/hypervisor/types.ts). */
export const HostConfigSchema = z.strictObject({
  name: nonEmpty,
  uri: nonEmpty,
  migrationUri: nonEmpty.optional(),
  cell: nonEmpty,
  zone: nonEmpty.optional(),
  enabled: z.boolean().optional(),
  cpuAllocationRatio: z.number().positive().optional(),
  ramAllocationRatio: z.number().positive().optional(),
  diskAllocationRatio: z.number().positive().optional(),
  reservedVcpus: z.number().int().nonnegative().optional(),
  reservedMemoryMb: z.number().nonnegative().optional(),
  reservedDiskGb: z.number().nonnegative().optional(),
  compatibleCpuModels: z.array(nonEmpty).optional(),
  migrationBandwidthMbps: z.number().positive().optional(),
});

/** A server group declared in configuration (libvirt itself knows no server groups). */
export const ServerGroupConfigSchema = z.strictObject({
  id: nonEmpty,
  policy: z.enum(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']),
  /** Domain names or UUIDs of the members. @default [] */
  members: z.array(nonEmpty).default([]),
});

export const PlannerConfigSchema = z.strictObject({
  /** Completion timeout per GiB copied, as Nova's live_migration_completion_timeout. @default 800 */
  timeoutPerGiBSeconds: z.number().positive(),
  /** `auto` uses the exact solver for small problems, the heuristic otherwise. @default 'auto' */
  method: z.enum(['auto', 'heuristic', 'exact']),
  /**
   * Fixed cost of one migration in seconds (set-up, switch-over pause, risk), added to its transfer
   * time when balance weighs a move and when a plan is fitted into the nightly window. @default 15
   */
  migrationOverheadSeconds: z.number().nonnegative(),
});

export const DemoSchema = z.strictObject({
  /** Seed of the generated demo region (same seed, same region). @default 7 */
  seed: z.number().int(),
  /** Number of cells. @default 3 */
  cells: z.number().int().min(1).max(50),
  /** Total number of hosts, spread over the cells. @default 72 */
  size: z.number().int().min(2).max(10000),
  /** Simulated time runs this many times faster than real time, so demo migrations take seconds. @default 60 */
  timeScale: z.number().positive(),
});

export const InventoryConfigSchema = z.strictObject({
  /**
   * Age after which the service collects a new inventory snapshot in the background; requests
   * are served from the previous one meanwhile (executing a plan always re-checks a fresh one). @default 5
   */
  maxAgeSeconds: z.number().min(0),
  /** Gap between the two CPU-time samples of a collection, for utilisation. @default 1000 */
  sampleMs: z.number().int().min(0),
  /**
   * Time over which each running guest's memory dirty rate is measured during collection
   * (libvirt measures whole seconds); 0 disables it and leaves `dirtyRateMbps` unknown. @default 1000
   */
  dirtyRateMs: z.number().int().min(0),
});

const isPostgresUrl = (v: string): boolean => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/** Where state is kept: an SQLite file (`path`) or a PostgreSQL database (`url`), never both. */
export const StoreConfigSchema = z
  .strictObject({
    /**
     * SQLite file; a relative path is taken from $STATE_DIRECTORY when set (systemd StateDirectory=),
     * else from the working directory. @default 'data/rebalancer.sqlite' (when `url` is not set)
     */
    path: nonEmpty.optional(),
    /**
     * PostgreSQL connection URL, `postgres://user:password@host:port/database` (libpq parameters such as
     * `?sslmode=require` allowed); selects the PostgreSQL store, shared by every replica. Env
     * REBALANCER_STORE__URL.
     */
    url: z.string().refine(isPostgresUrl, 'expected a postgres://user:password@host:port/database URL').optional(),
    /** PostgreSQL connections this process opens at most. @default 10 */
    poolSize: z.number().int().min(1).max(1000).optional(),
  })
  .superRefine((store, ctx) => {
    if (store.path !== undefined && store.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        message:
          'store.path (SQLite) and store.url (PostgreSQL) are both set: ' +
          'set store.path for an SQLite file or store.url for PostgreSQL, not both',
      });
    if (store.poolSize !== undefined && store.url === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['poolSize'],
        message: 'store.poolSize applies to PostgreSQL: set store.url',
      });
  });

export const LogSchema = z.strictObject({
  /** pino level. @default 'info' */
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

export const HaSchema = z
  .strictObject({
    /**
     * Replicas on one PostgreSQL store: how long the leader lease lasts without a renewal (the
     * leader renews it every third of that). A standby takes over within this plus one poll after
     * the leader dies. @default 15
     */
    leaseSeconds: z.number().min(1).max(600),
    /** How often a standby tries to take the lease and the leader picks up queued requests. @default 2 */
    pollSeconds: z.number().positive().max(60),
  })
  .refine((ha) => ha.pollSeconds < ha.leaseSeconds, {
    message: 'expected pollSeconds to be shorter than leaseSeconds',
    path: ['pollSeconds'],
  });

export const ConfigSchema = z.strictObject({
  api: ApiSchema,
  store: StoreConfigSchema,
  inventory: InventoryConfigSchema,
  log: LogSchema,
  /** Real hosts; empty means the simulated demo region. @default [] */
  hypervisors: z.array(HostConfigSchema),
  serverGroups: z.array(ServerGroupConfigSchema),
  /** Executor options (concurrency, retries, timeouts...): the executor's own schema (executor/options.ts). */
  executor: ExecutorOptionsSchema,
  planner: PlannerConfigSchema,
  /** Nightly balancing (schedule, window, mode), src/nightly/config.ts. */
  nightly: NightlyConfigSchema,
  /** Rolling maintenance campaigns (patch command, timeouts), src/maintenance/config.ts. */
  maintenance: MaintenanceConfigSchema,
  demo: DemoSchema,
  /** One leader among replicas sharing a PostgreSQL store (ignored on SQLite: one process, always leader). */
  ha: HaSchema,
});

export type Config = z.infer<typeof ConfigSchema>;
export type TokenConfig = z.infer<typeof TokenSchema>;
