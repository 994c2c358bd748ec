/** Time source for the executor: the system clock in production, a virtual clock in simulation. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock whose time moves only when told to; see {@link createVirtualClock}. */
export interface VirtualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order and letting their work run between them. */
  advance(ms: number): Promise<void>;
  /** Number of sleeps waiting for their time. */
  pending(): number;
  /** Stops automatic advancing (pending sleeps stay pending). */
  stop(): void;
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

const macrotask = () => new Promise<void>((r) => setImmediate(r));

/**
 * A deterministic clock for simulations and tests. Time starts at `start` and advances only:
 * - through `advance(ms)`, or
 * - with `autoAdvance`, by jumping straight to the earliest pending sleep whenever a full
 *   macrotask turn has passed since the last jump: every task is then waiting on this clock
 *   (or on something else that will never settle by itself). This assumes all asynchronous work
 *   in the simulation goes through this clock or completes within one turn of the event loop
 *   (synchronous SQLite, in-memory hypervisors); real network or file I/O would see time jump.
 * Timers with the same deadline fire in the order they were set.
 */
export function createVirtualClock(opts: { start?: number; autoAdvance?: boolean } = {}): VirtualClock {
  let now = opts.start ?? 0;
  let seq = 0;
  let auto = opts.autoAdvance ?? false;
  let pumping = false;
  const timers: Timer[] = [];

  const insert = (t: Timer) => {
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = timers[mid];
      if (m.at < t.at || (m.at === t.at && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    timers.splice(lo, 0, t);
  };
  const fireNext = () => {
    const t = timers.shift()!;
    now = Math.max(now, t.at);
    t.resolve();
  };
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (auto && timers.length) {
        await macrotask();
        if (auto && timers.length) fireNext();
      }
    } finally {
      pumping = false;
    }
  };

  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          const k = timers.indexOf(timer);
          if (k >= 0) timers.splice(k, 1);
          reject(signal!.reason);
        };
        const timer: Timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        insert(timer);
        if (auto) void pump();
      });
    },
    async advance(ms) {
      const target = now + ms;
      while (timers.length && timers[0].at <= target) {
        fireNext();
        await macrotask();
      }
      now = Math.max(now, target);
      await macrotask();
    },
    pending: () => timers.length,
    stop: () => {
      auto = false;
    },
  };
}
