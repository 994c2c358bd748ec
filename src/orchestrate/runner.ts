/** Executes stored plans in the background of a long-running process (the HTTP service). */
import type { Executor, ExecutionResult } from '../../executor/index.js';
import type { Logger } from '../../executor/logger.js';
import type { CancelMode } from '../../executor/options.js';

export interface Runner {
  /** Starts executing the stored plan; returns at once (failures are in the store and the log). */
  start(planId: string): void;
  /** Asks a plan this process runs to stop; false when it is not running here. */
  cancel(planId: string, mode?: CancelMode): Promise<boolean>;
  /** Ids of the plans executing in this process (the newest plan of each re-plan chain). */
  running(): string[];
  /** Resolves when no plan started here is executing. */
  idle(): Promise<void>;
  /** The execution of a plan started here, until it ends. */
  done(planId: string): Promise<ExecutionResult> | undefined;
}

export function createRunner(executor: Pick<Executor, 'execute' | 'cancel' | 'active'>, log?: Logger): Runner {
  const inFlight = new Map<string, Promise<ExecutionResult>>();
  return {
    start(planId) {
      const p = executor.execute(planId);
      inFlight.set(planId, p);
      p.catch((err: unknown) => log?.error({ planId, err }, 'plan execution stopped')).finally(() =>
        inFlight.delete(planId),
      );
    },
    async cancel(planId, mode) {
      const active = executor.active();
      if (!inFlight.has(planId) && !active.includes(planId)) return false;
      await executor.cancel(planId, mode);
      return true;
    },
    running: () => executor.active(),
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight.values()]);
    },
    done: (planId) => inFlight.get(planId),
  };
}
