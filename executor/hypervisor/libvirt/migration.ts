/** Migration flags, parameters and job statistics for the libvirt driver. */
import type { JobProgress, MigrationRequest } from '../types.js';

/** virDomainMigrateFlags values (stable libvirt ABI; node-libvirt exports only some of them). */
export const VIR_MIGRATE = {
  LIVE: 1,
  PEER2PEER: 2,
  PERSIST_DEST: 8,
  UNDEFINE_SOURCE: 16,
  NON_SHARED_DISK: 64,
  AUTO_CONVERGE: 8192,
  POSTCOPY: 32768,
} as const;

/** virDomainXMLFlags: SECURE | INACTIVE, the persistent definition including secrets. */
export const XML_SECURE_INACTIVE = 1 | 2;

/**
 * Flags of a peer-to-peer live or block migration: the source daemon connects to the
 * destination's migrationUri itself, defines the domain there and removes it from the source.
 */
export function migrationFlags(req: MigrationRequest): number {
  let flags = VIR_MIGRATE.LIVE | VIR_MIGRATE.PEER2PEER | VIR_MIGRATE.PERSIST_DEST | VIR_MIGRATE.UNDEFINE_SOURCE;
  if (req.mode === 'block') flags |= VIR_MIGRATE.NON_SHARED_DISK;
  if (req.autoConverge) flags |= VIR_MIGRATE.AUTO_CONVERGE;
  if (req.postCopy) flags |= VIR_MIGRATE.POSTCOPY;
  return flags;
}

/** virDomainMigrateToURI3 typed parameters (VIR_MIGRATE_PARAM_*). */
export function migrationParams(req: MigrationRequest): Record<string, number> {
  return req.bandwidthMiBps && req.bandwidthMiBps > 0 ? { bandwidth: Math.round(req.bandwidthMiBps) } : {};
}

const JOB_TYPES = new Set<JobProgress['type']>(['none', 'bounded', 'unbounded', 'completed', 'failed', 'cancelled']);

export const idleProgress = (): JobProgress => ({
  type: 'none',
  elapsedMs: 0,
  dataTotal: 0,
  dataProcessed: 0,
  dataRemaining: 0,
});

/** Maps virDomainGetJobStats output (field names as in libvirt's VIR_DOMAIN_JOB_* macros). */
export function progressFromJobStats(s: Record<string, number | string | boolean>, postCopy: boolean): JobProgress {
  const n = (k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const type = JOB_TYPES.has(s.type as JobProgress['type']) ? (s.type as JobProgress['type']) : 'none';
  const dirtyPages = n('memory_dirty_rate');
  const pageSize = n('memory_page_size') ?? 4096;
  return {
    type,
    elapsedMs: n('time_elapsed') ?? 0,
    dataTotal: n('data_total') ?? 0,
    dataProcessed: n('data_processed') ?? 0,
    dataRemaining: n('data_remaining') ?? 0,
    ...(dirtyPages !== undefined ? { memDirtyRateBps: dirtyPages * pageSize } : {}),
    ...(n('downtime') !== undefined ? { downtimeMs: n('downtime') } : {}),
    postCopy,
  };
}

/** Maps the older virDomainGetJobInfo output (fallback for daemons without job stats). */
export function progressFromJobInfo(j: {
  type: string;
  time: { elapsed: number };
  data: { total: number; processed: number; remaining: number };
}): JobProgress {
  const type = JOB_TYPES.has(j.type as JobProgress['type']) ? (j.type as JobProgress['type']) : 'none';
  return {
    type,
    elapsedMs: j.time.elapsed,
    dataTotal: j.data.total,
    dataProcessed: j.data.processed,
    dataRemaining: j.data.remaining,
  };
}
