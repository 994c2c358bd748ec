/** Small concurrency helpers for fan-out calls to many hosts. */

/** One turn of the event loop, so timers, I/O and requests queued behind a long run get theirs. */
export const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Calls completed between turns of the event loop. A driver whose calls settle at once (the
 * simulated hypervisor) would otherwise chain a whole fan-out of 1,000 hosts as one task.
 */
const CALLS_PER_TURN = 4;

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`Expected \`limit\` to be a positive integer, got \`${limit}\``);
  const results = new Array<R>(items.length);
  let next = 0;
  // every CALLS_PER_TURN settled calls, all workers wait for the event loop's next turn
  let settled = 0;
  let turn: Promise<void> | null = null;
  const worker = async () => {
    while (next < items.length) {
      if (turn !== null) await turn;
      if (next >= items.length) break;
      const k = next++;
      results[k] = await fn(items[k], k);
      if (++settled % CALLS_PER_TURN === 0 && !turn)
        turn = macrotask().then(() => {
          turn = null;
        });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Thrown when a host call did not answer within its time budget. */
export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
  readonly code = 'CALL_TIMEOUT';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${ms} ms`);
  }
}

/**
 * Settles with `work`'s outcome, or rejects after `ms` or when `signal` aborts. The underlying call
 * is handed an abort signal too, but a driver call that cannot be cancelled is simply abandoned.
 */
export function withTimeout<T>(
  what: string,
  ms: number,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const local = new AbortController();
  const onAbort = () => local.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    timer = setTimeout(() => {
      const err = new CallTimeoutError(what, ms);
      local.abort(err);
      reject(err);
    }, ms);
    local.signal.addEventListener('abort', () => reject(local.signal.reason), { once: true });
  });
  return Promise.race([work(local.signal), deadline]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  });
}
