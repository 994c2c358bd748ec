/** Nightly balancing: configuration, scheduler and helpers for wiring it into the service. */
import type { ExecutorStore } from '../../executor/store.js';

export { NightlyConfigSchema, defaultNightlyConfig, type NightlyConfig, type NightlyConfigInput } from './config.js';
export { createNightly, type Nightly } from './nightly.js';
export { recentlyMovedInstances } from './cooldown.js';
export { executeWithinWindow } from './execute.js';
export { nextWallTime } from './window.js';
export type * from './types.js';

/** `isDrainRunning` from the store: a drain plan is running or being cancelled. */
export function drainRunningInStore(store: Pick<ExecutorStore, 'listPlans'>): () => boolean {
  return () => store.listPlans({ status: ['running', 'cancelling'] }).some((p) => p.goal === 'drain');
}
