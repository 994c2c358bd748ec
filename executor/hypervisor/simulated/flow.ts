/**
 * The migration model of the simulated cluster, as pure state and arithmetic.
 *
 * - Set-up: `setupMs` with no data moving.
 * - Block migrations copy the local disks first (guest disk writes are assumed to be mirrored
 *   without extra cost).
 * - Pre-copy in rounds: round 0 sends all memory; each later round resends what the guest dirtied
 *   during the previous round (never more than its memory). When the dirtied rest could be sent
 *   within the maximum downtime at the current bandwidth, the guest pauses and the rest is sent
 *   (switch-over). A guest dirtying faster than the bandwidth never converges: `remaining` stops
 *   decreasing, as a real non-converging migration does.
 * - Auto-converge throttles the guest from round 2 on: 20 %, then +10 % per round, up to 99 %
 *   (QEMU's defaults), so the effective dirty rate falls.
 * - Post-copy: the guest runs on the destination at once; the rest is sent with no more dirtying.
 * - A suspended guest dirties nothing.
 */
import type { MigrationRequest } from '../types.js';

export type Phase = 'setup' | 'disk' | 'precopy' | 'switchover' | 'postcopy';

export interface Job {
  seq: number;
  req: MigrationRequest;
  startedAt: number;
  phase: Phase;
  setupLeftMs: number;
  diskLeft: number;
  memoryBytes: number;
  /** Bytes left in the current round (or in the final copy during switch-over / post-copy). */
  roundLeft: number;
  /** Bytes dirtied since the current round started. */
  dirtied: number;
  round: number;
  processed: number;
  /** Bandwidth currently granted, bytes/s. */
  rate: number;
  dirtyBps: number;
  suspended: boolean;
  stalled: boolean;
  /** Elapsed ms at which an injected failure fires. */
  failAtMs: number | null;
  maxDowntimeMs: number;
}

/** Amounts below one byte count as nothing (keeps float residue from creating endless events). */
const EPS = 1;

export function remainingBytes(j: Job): number {
  // a page is dirty or not: what is left of the round and what was dirtied again overlap,
  // so the remaining memory never exceeds the guest's memory
  const memory =
    j.phase === 'setup' || j.phase === 'disk' ? j.memoryBytes : Math.min(j.memoryBytes, j.roundLeft + j.dirtied);
  return j.diskLeft + memory;
}

/** Guest dirty rate while copying, after suspension, stalls and auto-convergence. */
export function effectiveDirtyBps(j: Job): number {
  if (j.phase !== 'precopy' || j.suspended) return 0;
  if (j.stalled) return Math.max(j.rate, j.dirtyBps);
  if (!j.req.autoConverge || j.round < 2) return j.dirtyBps;
  const throttle = Math.min(0.99, 0.2 + 0.1 * (j.round - 2));
  return j.dirtyBps * (1 - throttle);
}

/** Whether the job takes network bandwidth right now. */
export const transferring = (j: Job): boolean => j.phase !== 'setup';

/** Milliseconds until the job's next phase boundary at its current rate. */
export function msToBoundary(j: Job): number {
  if (j.phase === 'setup') return j.setupLeftMs;
  const left = j.phase === 'disk' ? j.diskLeft : j.roundLeft;
  if (left <= EPS) return 0;
  return j.rate > 0 ? (left / j.rate) * 1000 : Infinity;
}

/** Milliseconds until the job's next boundary or injected failure. */
export function msToEvent(j: Job, now: number): number {
  const fail = j.failAtMs === null ? Infinity : Math.max(0, j.startedAt + j.failAtMs - now);
  return Math.min(fail, msToBoundary(j));
}

/** Moves the job forward `ms` without crossing a boundary (the caller picks `ms`). */
export function advanceJob(j: Job, ms: number): void {
  // reaching the boundary exactly: snap to it rather than trust float arithmetic
  const reaches = msToBoundary(j) <= ms;
  if (j.phase === 'setup') {
    j.setupLeftMs = reaches ? 0 : Math.max(0, j.setupLeftMs - ms);
    return;
  }
  const sent = (j.rate * ms) / 1000;
  j.processed += sent;
  if (j.phase === 'disk') j.diskLeft = reaches ? 0 : Math.max(0, j.diskLeft - sent);
  else j.roundLeft = reaches ? 0 : Math.max(0, j.roundLeft - sent);
  j.dirtied = Math.min(j.memoryBytes, j.dirtied + (effectiveDirtyBps(j) * ms) / 1000);
}

/** Handles a boundary; returns 'done' when all data is across. */
export function crossBoundary(j: Job): 'continue' | 'done' {
  if (j.phase === 'setup' && j.setupLeftMs <= EPS) {
    j.phase = j.diskLeft > EPS ? 'disk' : 'precopy';
    j.roundLeft = j.phase === 'precopy' ? j.memoryBytes : 0;
    return j.memoryBytes <= EPS && j.diskLeft <= EPS ? 'done' : 'continue';
  }
  if (j.phase === 'disk' && j.diskLeft <= EPS) {
    j.phase = 'precopy';
    j.roundLeft = j.memoryBytes;
    return j.memoryBytes <= EPS ? 'done' : 'continue';
  }
  if (j.roundLeft > EPS) return 'continue';
  if (j.phase === 'switchover' || j.phase === 'postcopy') return j.dirtied <= EPS ? 'done' : carryOver(j);
  // end of a pre-copy round
  j.round++;
  const downtimeBytes = (j.rate * j.maxDowntimeMs) / 1000;
  if (j.dirtied <= downtimeBytes || j.suspended) j.phase = 'switchover';
  return carryOver(j);
}

function carryOver(j: Job): 'continue' | 'done' {
  j.roundLeft = j.dirtied;
  j.dirtied = 0;
  return j.roundLeft <= EPS && j.phase !== 'precopy' ? 'done' : 'continue';
}

/**
 * Max-min fair bandwidth: each transferring job uses its source's outbound and its
 * destination's inbound NIC capacity and may have its own cap; capacity is filled
 * progressively, so a job held back by one link leaves the rest to the others.
 */
export function allocate(jobs: Job[], capBps: (link: string) => number): void {
  const active = jobs.filter(transferring);
  for (const j of jobs) j.rate = 0;
  const linksOf = (j: Job) => [`out:${j.req.from}`, `in:${j.req.to}`];
  const left = new Map<string, number>();
  for (const j of active) for (const l of linksOf(j)) if (!left.has(l)) left.set(l, capBps(l));
  let open = active.slice();
  while (open.length) {
    let share = Infinity;
    for (const [l, cap] of left) {
      const users = open.filter((j) => linksOf(j).includes(l)).length;
      if (users) share = Math.min(share, cap / users);
    }
    for (const j of open)
      if (j.req.bandwidthMiBps) share = Math.min(share, j.req.bandwidthMiBps * 1024 * 1024 - j.rate);
    for (const j of open) {
      j.rate += share;
      for (const l of linksOf(j)) left.set(l, left.get(l)! - share);
    }
    open = open.filter((j) => {
      const capped = j.req.bandwidthMiBps && j.rate >= j.req.bandwidthMiBps * 1024 * 1024 - EPS;
      return !capped && linksOf(j).every((l) => left.get(l)! > EPS);
    });
  }
}
