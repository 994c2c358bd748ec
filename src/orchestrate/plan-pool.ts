/**
 * Planning on worker threads, for long-running processes (the service): the event loop parses
 * requests, talks to the store and answers while plans are made and verified elsewhere.
 *
 * Each inventory snapshot gets a version the first time it is planned on; a worker is sent a
 * version once (structured clone) and keeps it, so requests carry only the version, the request
 * and the options. A worker plans with the planner's `plan`, which verifies the plan before it
 * returns; the pool accepts only results the worker reports as verified. Each worker is sent up to
 * JOBS_PER_WORKER requests ahead, so it goes from one to the next without waiting for the event
 * loop. Planner errors come back as the same types (UnknownHostError, PlanVerificationError); a
 * worker that dies fails the request it was planning with PlanWorkerError and is replaced; the
 * requests sent behind it go to the next free worker.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import {
  PlanVerificationError,
  UnknownHostError,
  type Inventory,
  type Plan,
  type PlannerOptions,
  type PlanRequest,
  type Violation,
} from '../../planner/index.js';
import { hold, heldOf, type Held } from './plan-pool-held.js';

/** A planning worker stopped (crashed, ran out of memory) while it held the request. */
export class PlanWorkerError extends Error {
  override name = 'PlanWorkerError';
  readonly code = 'PLAN_WORKER_FAILED';
}

/** An error as it crosses the thread boundary. */
export interface PoolError {
  name: string;
  message: string;
  code?: string;
  host?: string;
  violations?: Violation[];
}

export type ToWorker =
  | { type: 'inventory'; version: number; inventory: Inventory }
  | {
      type: 'plan';
      job: number;
      version: number;
      request: PlanRequest;
      options: Omit<PlannerOptions, 'now'>;
      /** The caller gave a clock for solver time limits: the worker measures them on its own. */
      wallClock: boolean;
    }
  /** Asks for the worker's heap figures (after a GC when the process exposes one). */
  | { type: 'memory' };

/** One worker's own heap (a worker thread shares the process's RSS). */
export interface WorkerMemory {
  heapUsed: number;
  heapTotal: number;
  /** Inventory versions it holds and their instances. */
  versions: number;
  instances: number;
}

type FromWorker =
  | { type: 'done'; job: number; verified: boolean; plan: Plan }
  | { type: 'failed'; job: number; error: PoolError }
  | ({ type: 'memory' } & WorkerMemory);

export interface PlanPoolOptions {
  /** Worker threads. @default one less than the cores, at least 1 */
  size?: number;
  /**
   * Jobs sent to one worker ahead of their turn, so that it never waits for the event loop to
   * hand it the next one. @default JOBS_PER_WORKER
   */
  jobsPerWorker?: number;
  /** Heap limits of each worker (a worker over them stops and is replaced). */
  resourceLimits?: ResourceLimits;
}

export interface PlanPool {
  /** Plans on a worker (the lifecycle's `planFn`). */
  readonly plan: (inventory: Inventory, request: PlanRequest, options: PlannerOptions) => Promise<Plan>;
  readonly size: number;
  /** Inventory versions handed to workers so far (one per new snapshot and worker). */
  readonly snapshotsSent: () => number;
  /** Requests not yet sent to a worker (every worker has its `jobsPerWorker`). */
  readonly waiting: () => number;
  /** Each live worker's heap and what it holds, for measurements. */
  memory(): Promise<WorkerMemory[]>;
  /** Stops the workers; requests still waiting fail. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  version: number;
  inventory: Inventory;
  request: PlanRequest;
  options: PlannerOptions;
  resolve: (p: Plan) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Versions the worker holds, newest last (the worker keeps the same, by the rule of plan-pool-held.ts). */
  held: Held[];
  /** Jobs sent to the worker, in the order it plans them (the first is the one it is planning). */
  jobs: Job[];
  /** Waiting for the worker's memory figures. */
  memoryAsked: ((m: WorkerMemory | null) => void)[];
}

/**
 * Jobs a worker is sent at most at once. A worker that finishes a job starts the next one it was
 * sent at once, instead of waiting until a busy event loop has read its answer and sent another:
 * with one job at a time, a main thread serving reads left the worker idle most of the time.
 * A few are enough to cover a busy turn of the event loop; a deeper queue would only hold
 * requests behind a long one on one worker while another is free.
 */
export const JOBS_PER_WORKER = 8;

const holds = (slot: Slot, version: number) => slot.held.some((h) => h.version === version);

/**
 * The worker: compiled (dist/), the .js file next to this one; from sources (tests, bench), the
 * .ts file loaded through tsx's loader, registered in the worker before the import.
 */
function spawnWorker(resourceLimits?: ResourceLimits): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./plan-worker.js', import.meta.url), { resourceLimits });
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const file = new URL('./plan-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(file)}); })`;
  return new Worker(boot, { eval: true, resourceLimits });
}

export function rebuildError(e: PoolError): Error {
  if (e.name === 'UnknownHostError' && e.host !== undefined) return new UnknownHostError(e.host);
  if (e.name === 'PlanVerificationError' && e.violations) return new PlanVerificationError(e.violations);
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

export function createPlanPool(o: PlanPoolOptions = {}): PlanPool {
  const size = Math.max(1, o.size ?? availableParallelism() - 1);
  const depth = Math.max(1, o.jobsPerWorker ?? JOBS_PER_WORKER);
  const versions = new WeakMap<Inventory, number>();
  let lastVersion = 0;
  let nextJob = 0;
  let sent = 0;
  let closing = false;
  const queue: Job[] = [];
  const slots: Slot[] = [];

  const spawn = (): Slot => {
    const worker = spawnWorker(o.resourceLimits);
    const slot: Slot = { worker, held: [], jobs: [], memoryAsked: [] };
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'memory') {
        const { type: _, ...m } = msg;
        slot.memoryAsked.shift()?.(m);
        return;
      }
      const job = slot.jobs[0];
      if (!job || job.id !== msg.job) return;
      slot.jobs.shift();
      if (!slot.jobs.length) worker.unref();
      if (msg.type === 'failed') job.reject(rebuildError(msg.error));
      else if (!msg.verified) job.reject(new PlanVerificationError([]));
      else job.resolve(msg.plan);
      pump();
    });
    let failure: Error | null = null;
    worker.on('error', (err) => {
      failure = err;
    });
    worker.on('exit', (code) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      for (const answer of slot.memoryAsked.splice(0)) answer(null);
      // the job it was planning fails; the ones sent behind it wait for another worker
      const [job, ...waiting] = slot.jobs.splice(0);
      if (closing) for (const w of waiting) w.reject(new PlanWorkerError('the planning pool is closed'));
      else queue.unshift(...waiting);
      if (job) {
        const why = failure ? failure.message : `exit code ${code}`;
        job.reject(new PlanWorkerError(`the planning worker stopped while planning: ${why}`));
      }
      if (!closing) {
        slots.push(spawn());
        pump();
      }
    });
    worker.unref();
    return slot;
  };

  // An idle worker does not keep the process alive; one that is planning does.
  const dispatch = (slot: Slot, job: Job) => {
    slot.jobs.push(job);
    slot.worker.ref();
    if (!holds(slot, job.version)) {
      slot.worker.postMessage({ type: 'inventory', version: job.version, inventory: job.inventory } satisfies ToWorker);
      hold(slot.held, heldOf(job.version, job.inventory));
      sent++;
    }
    const { now, ...options } = job.options;
    slot.worker.postMessage({
      type: 'plan',
      job: job.id,
      version: job.version,
      request: job.request,
      options,
      wallClock: now !== undefined,
    } satisfies ToWorker);
  };

  // the worker with the fewest jobs; of those, one that holds the job's inventory
  const pump = () => {
    while (queue.length) {
      const job = queue[0];
      let best: Slot | null = null;
      for (const s of slots) {
        if (s.jobs.length >= depth) continue;
        if (
          !best ||
          s.jobs.length < best.jobs.length ||
          (s.jobs.length === best.jobs.length && holds(s, job.version) && !holds(best, job.version))
        )
          best = s;
      }
      if (!best) return;
      queue.shift();
      dispatch(best, job);
    }
  };

  for (let i = 0; i < size; i++) slots.push(spawn());

  const plan: PlanPool['plan'] = (inventory, request, options) => {
    if (closing) return Promise.reject(new PlanWorkerError('the planning pool is closed'));
    let version = versions.get(inventory);
    if (version === undefined) {
      version = ++lastVersion;
      versions.set(inventory, version);
    }
    const v = version;
    return new Promise<Plan>((resolve, reject) => {
      queue.push({ id: ++nextJob, version: v, inventory, request, options, resolve, reject });
      pump();
    });
  };

  return {
    plan,
    size,
    snapshotsSent: () => sent,
    waiting: () => queue.length,
    memory: async () => {
      const asked = slots.map(
        (slot) =>
          new Promise<WorkerMemory | null>((resolve) => {
            slot.memoryAsked.push(resolve);
            slot.worker.postMessage({ type: 'memory' } satisfies ToWorker);
          }),
      );
      return (await Promise.all(asked)).filter((m): m is WorkerMemory => m !== null);
    },
    async close() {
      closing = true;
      for (const job of queue.splice(0)) job.reject(new PlanWorkerError('the planning pool is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
