/**
 * Bounds every short hypervisor call (everything but `migrate` and `close`) by a deadline, so
 * a host that stops answering cannot hold a move, and its admission slot, forever: the call
 * fails with a transient HOST_UNREACHABLE and the usual retry / re-plan rules apply. The
 * driver also receives an AbortSignal that fires at the deadline.
 */
import type { Clock } from './clock.js';
import { anySignal } from './context.js';
import { HypervisorError } from './hypervisor/errors.js';
import type { Hypervisor } from './hypervisor/types.js';

const UNBOUNDED = new Set<PropertyKey>(['migrate', 'close', 'kind']);

export function withDeadline(hv: Hypervisor, clock: Clock, ms: number): Hypervisor {
  return new Proxy(hv, {
    get(obj, prop, receiver) {
      const v = Reflect.get(obj, prop, receiver);
      if (typeof v !== 'function' || UNBOUNDED.has(prop)) return v;
      return (...args: unknown[]) => {
        const timer = new AbortController();
        const deadline = new AbortController();
        const expired = clock.sleep(ms, timer.signal).then(() => {
          const err = new HypervisorError(
            'HOST_UNREACHABLE',
            `hypervisor call ${String(prop)}(${String(args[0])}) got no answer within ${ms} ms`,
            true,
          );
          deadline.abort(err);
          throw err;
        });
        expired.catch(() => undefined);
        // the signal is always the last parameter of a Hypervisor method
        const last = args.at(-1);
        const callerSignal = last instanceof AbortSignal ? last : undefined;
        const callArgs = callerSignal
          ? [...args.slice(0, -1), anySignal(callerSignal, deadline.signal)]
          : [...args, deadline.signal];
        const call = Promise.resolve((v as (...a: unknown[]) => Promise<unknown>).apply(obj, callArgs));
        return Promise.race([call, expired]).finally(() => timer.abort());
      };
    },
  });
}
