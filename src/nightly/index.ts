/** Nightly balancing: configuration, scheduler and helpers for wiring it into the service. */
export { NightlyConfigSchema, defaultNightlyConfig, type NightlyConfig, type NightlyConfigInput } from './config.js';
export { createNightly, type Nightly } from './nightly.js';
export { recentlyMovedInstances } from './cooldown.js';
export { executeWithinWindow } from './execute.js';
export { nextWallTime } from './window.js';
export type * from './types.js';
