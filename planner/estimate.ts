/**
 * How an instance migrates and what that costs: migration mode, GiB copied, completion timeout
 * and an estimate of the duration. Pure.
 */
import type { Host, Instance } from './model/inventory.js';
import type { MigrationMode, UnplacedCode } from './model/plan.js';

/** Bandwidth assumed when a host does not report `migrationBandwidthMbps` (10 Gbit/s). */
export const DEFAULT_BANDWIDTH_MBPS = 10_000;
/** Nova's `live_migration_completion_timeout` default, seconds per GiB copied. */
export const DEFAULT_TIMEOUT_PER_GIB_SECONDS = 800;
/** Fixed cost of starting a migration (connection, destination domain definition). */
export const SETUP_SECONDS = 2;
/** Pre-copy stops when the remaining dirty memory can be sent within this pause. */
export const MAX_DOWNTIME_SECONDS = 0.5;
/** Pre-copy rounds before the estimate gives up converging and assumes a forced stop-and-copy. */
export const MAX_PRECOPY_ROUNDS = 30;

/** Mbit/s (10^6 bit) per MiB/s: hypervisors report MiB/s, the inventory uses Mbit/s. */
export const MBIT_PER_MIB = 8 * 1.048576;
const MBIT_PER_GIB = 1024 * MBIT_PER_MIB;

/** The mode an instance moves in, or why it cannot move at all. */
export type ModeDecision =
  | { mode: MigrationMode }
  | { mode: null; code: Extract<UnplacedCode, 'PINNED' | 'READONLY_DEVICE'>; reason: string };

/**
 * Migration mode per the spec: pinned never moves; SHUTOFF moves cold; running instances move
 * live with shared/volume storage and by block migration with local storage, which is impossible
 * with a config drive or CD-ROM attached (read-only devices cannot be block-migrated).
 */
export function migrationMode(instance: Instance): ModeDecision {
  if (instance.pinned)
    return {
      mode: null,
      code: 'PINNED',
      reason: `instance ${instance.name} is pinned to ${instance.host} and never moves`,
    };
  if (instance.status === 'SHUTOFF') return { mode: 'cold' };
  if (instance.storage !== 'local') return { mode: 'live' };
  if (instance.configDrive || instance.cdrom) {
    const device = instance.configDrive ? 'a config drive' : 'a CD-ROM';
    return {
      mode: null,
      code: 'READONLY_DEVICE',
      reason: `instance ${instance.name} has local storage and ${device}: read-only devices cannot be block-migrated`,
    };
  }
  return { mode: 'block' };
}

/** GiB copied over the network: memory, plus the local disk for block migration. */
export function moveGib(instance: Instance, mode: MigrationMode): number {
  return instance.memoryMb / 1024 + (mode === 'block' ? instance.diskGb : 0);
}

/**
 * Completion timeout as Nova computes it: per-GiB budget x GiB copied, with a 2 GiB floor so
 * tiny instances still get a sensible budget.
 * @param perGiB seconds per GiB @default 800
 */
export function timeoutSeconds(
  instance: Instance,
  mode: MigrationMode,
  perGiB = DEFAULT_TIMEOUT_PER_GIB_SECONDS,
): number {
  return perGiB * Math.max(2, moveGib(instance, mode));
}

/** Migration bandwidth between two hosts in Mbit/s: the slower side wins. */
export function bandwidthMbps(src: Host, dst: Host): number {
  return Math.min(
    src.migrationBandwidthMbps ?? DEFAULT_BANDWIDTH_MBPS,
    dst.migrationBandwidthMbps ?? DEFAULT_BANDWIDTH_MBPS,
  );
}

/**
 * Seconds spent in iterative pre-copy for `memoryMbit` of RAM dirtied at `dirtyMbps`.
 * Round 0 sends all memory; every later round resends what was dirtied during the previous one
 * (never more than the whole memory). Copying stops once the rest fits in the downtime window or
 * after {@link MAX_PRECOPY_ROUNDS} rounds; the final stop-and-copy of the rest is included.
 */
export function precopySeconds(memoryMbit: number, dirtyMbps: number, bw: number): number {
  let remaining = memoryMbit;
  let total = 0;
  for (let round = 0; round < MAX_PRECOPY_ROUNDS; round++) {
    const t = remaining / bw;
    total += t;
    remaining = Math.min(memoryMbit, dirtyMbps * t);
    if (remaining / bw <= MAX_DOWNTIME_SECONDS) break;
  }
  return total + remaining / bw;
}

/**
 * Expected duration of one migration in seconds.
 *
 * Model: {@link SETUP_SECONDS} of fixed overhead, then
 * - `block`: the local disk is copied first at the link bandwidth, then memory by pre-copy;
 * - `live`: memory by pre-copy ({@link precopySeconds}) with the instance's `dirtyRateMbps`
 *   (0 when unknown);
 * - `cold`: the instance is off, so no memory is copied; only a local disk (if any) crosses
 *   the network.
 * Bandwidth is the smaller `migrationBandwidthMbps` of the two hosts (10 Gbit/s when unknown).
 * The result is rounded to 0.1 s. It is an estimate for scheduling and progress display; the
 * completion timeout, not this figure, bounds a real migration.
 */
export function estimatedSeconds(instance: Instance, mode: MigrationMode, src: Host, dst: Host): number {
  const bw = bandwidthMbps(src, dst);
  const diskSeconds = instance.storage === 'local' && mode !== 'live' ? (instance.diskGb * MBIT_PER_GIB) / bw : 0;
  let seconds = SETUP_SECONDS + diskSeconds;
  if (mode !== 'cold') seconds += precopySeconds(instance.memoryMb * MBIT_PER_MIB, instance.dirtyRateMbps ?? 0, bw);
  return Math.round(seconds * 10) / 10;
}

/**
 * The planner's estimate of how long a plan runs: waves one after the other; within a wave
 * `concurrency` migrations at once, each taking its `estimatedSeconds` plus `overheadSeconds`, so
 * a wave lasts at least its longest move and at least its total work shared out. A lower-bound
 * style estimate, which is what a window is checked against before anything runs.
 */
export function planDurationSeconds(
  moves: ReadonlyArray<{ wave: number; estimatedSeconds: number }>,
  concurrency: number,
  overheadSeconds: number,
): number {
  const waves = new Map<number, { total: number; longest: number }>();
  for (const m of moves) {
    const s = m.estimatedSeconds + overheadSeconds;
    const w = waves.get(m.wave) ?? { total: 0, longest: 0 };
    w.total += s;
    w.longest = Math.max(w.longest, s);
    waves.set(m.wave, w);
  }
  let total = 0;
  for (const w of waves.values()) total += Math.max(w.longest, w.total / Math.max(1, concurrency));
  return total;
}
