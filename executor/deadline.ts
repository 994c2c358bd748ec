/**
 * Bounds every short hypervisor call (everything but `migrate` and `close`) by a deadline, so
 * a host that stops answering cannot hold a move, and its admission slot, forever: the call
 * fails with a transient HOST_UNREACHABLE and the usual retry / re-plan rules apply. The
 * driver also receives an AbortSignal that fires at the deadline (with the caller's, if any).
 * Each method is written out once, in HypervisorWrapper (executor/wrapper.ts).
 */
import type { Clock } from './clock.js';
import { anySignal } from './context.js';
import { HypervisorError } from './hypervisor/errors.js';
import type { Hypervisor } from './hypervisor/types.js';
import { type HypervisorCall, HypervisorWrapper } from './wrapper.js';

/**
 * Not bounded: a migration has its own timeout and watch (executor/watch.ts); closing waits for the
 * driver's connections to end.
 */
const UNBOUNDED: ReadonlySet<HypervisorCall['name']> = new Set(['migrate', 'close']);

export class DeadlineHypervisor extends HypervisorWrapper {
  /** `ms`: how long a short call may take before it fails. */
  constructor(
    inner: Hypervisor,
    private readonly clock: Clock,
    private readonly ms: number,
  ) {
    super(inner);
  }

  /**
   * Runs `run` with a signal that fires at the deadline or with the caller's signal; rejects
   * with HOST_UNREACHABLE at the deadline, naming the call and its subject.
   */
  protected around<T>(
    { name, subject, signal }: HypervisorCall,
    run: (signal?: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (UNBOUNDED.has(name)) return run(signal);
    const timer = new AbortController();
    const deadline = new AbortController();
    const expired = this.clock.sleep(this.ms, timer.signal).then((): never => {
      const err = new HypervisorError(
        'HOST_UNREACHABLE',
        `hypervisor call ${name}(${subject}) got no answer within ${this.ms} ms`,
        true,
      );
      deadline.abort(err);
      throw err;
    });
    expired.catch(() => undefined);
    let answer: Promise<T>;
    try {
      answer = run(signal ? anySignal(signal, deadline.signal) : deadline.signal);
    } catch (err) {
      answer = Promise.reject(err);
    }
    return Promise.race([answer, expired]).finally(() => timer.abort());
  }
}
