/** Placement constraints: an indexed inventory view, mutable usage, per-host checks, explanations. */
export * from './view.js';
export * from './state.js';
export * from './check.js';
export * from './explain.js';
