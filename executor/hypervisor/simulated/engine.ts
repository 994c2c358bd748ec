/**
 * Runs the migration jobs of the simulated cluster against a Clock: integrates every job between
 * events (phase boundaries, injected failures), re-shares bandwidth at each event, and keeps one
 * sleeper waiting for the next event so that `migrate()` settles at the right simulated moment.
 */
import type { Clock } from '../../clock.js';
import type { HypervisorError } from '../errors.js';
import { advanceJob, allocate, crossBoundary, msToEvent, type Job } from './flow.js';

export interface JobHandle {
  job: Job;
  resolve: () => void;
  reject: (e: HypervisorError) => void;
}

export interface EngineHooks {
  /** Bandwidth of a link (`out:Host` / `in:Host`), bytes/s. */
  capBps(link: string): number;
  /** Called when a job finished copying: the domain now lives on the destination. */
  landed(job: Job): void;
  /** The failure an injected fault raises when it fires. */
  injectedError(job: Job): HypervisorError;
}

/**
 * Events closer than this are handled now: with epoch-sized times, smaller steps vanish in
 * floating-point rounding and would never arrive.
 */
const TINY_MS = 1e-3;

/** Longest single sleep of the engine when no event is due (guards against lost wake-ups). */
const IDLE_MS = 60_000;

export function createEngine(clock: Clock, hooks: EngineHooks) {
  const handles = new Set<JobHandle>();
  let lastT = clock.now();
  let sleeper: AbortController | null = null;
  let pumping = false;
  let closed = false;

  const jobs = () => [...handles].map((h) => h.job);
  const finish = (h: JobHandle, err?: HypervisorError) => {
    handles.delete(h);
    if (err) h.reject(err);
    else {
      hooks.landed(h.job);
      h.resolve();
    }
  };

  /** Handles every job sitting on a boundary until none is. */
  const settle = (now: number) => {
    for (let guard = 0; guard < 10_000; guard++) {
      allocate(jobs(), hooks.capBps);
      const due = [...handles].filter((h) => msToEvent(h.job, now) <= TINY_MS);
      if (!due.length) return;
      for (const h of due) {
        const j = h.job;
        advanceJob(j, Math.min(TINY_MS, msToEvent(j, now))); // snaps onto the boundary
        if (j.failAtMs !== null && now >= j.startedAt + j.failAtMs) finish(h, hooks.injectedError(j));
        else if (crossBoundary(j) === 'done') finish(h);
      }
    }
    throw new Error('simulated cluster: job state did not settle (model bug)');
  };

  /** Brings every job to the clock's present. */
  const sync = () => {
    const now = clock.now();
    settle(lastT);
    while (lastT < now) {
      const step = Math.min(now - lastT, ...jobs().map((j) => msToEvent(j, lastT)));
      for (const j of jobs()) advanceJob(j, step);
      // with epoch-sized times a tiny step can vanish in rounding; never stand still
      lastT = lastT + step > lastT ? lastT + step : Math.min(now, lastT + 1e-3);
      settle(lastT);
    }
  };

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (handles.size && !closed) {
        sync();
        if (!handles.size) break;
        const next = Math.min(IDLE_MS, ...jobs().map((j) => msToEvent(j, lastT)));
        sleeper = new AbortController();
        await clock.sleep(Math.max(0, next), sleeper.signal).catch(() => undefined);
      }
    } finally {
      pumping = false;
    }
  };

  /** Re-evaluates after a change (new job, abort, fault, bandwidth change). */
  const kick = () => {
    sync();
    sleeper?.abort();
    void pump();
  };

  return {
    sync,
    kick,
    jobs,
    find: (pred: (j: Job) => boolean) => [...handles].find((h) => pred(h.job)),
    start(job: Job): Promise<void> {
      sync();
      return new Promise<void>((resolve, reject) => {
        handles.add({ job, resolve, reject });
        kick();
      });
    },
    /** Ends a job with an error (abort, host loss). */
    fail(h: JobHandle, err: HypervisorError) {
      finish(h, err);
      kick();
    },
    close() {
      closed = true;
      sleeper?.abort();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
