/**
 * A planning worker thread (see plan-pool.ts): keeps the inventory snapshots it was sent, by
 * version, and plans requests against them with the planner's `plan`, which verifies every plan
 * before it returns. Errors go back with what their type needs to be rebuilt on the other side.
 */
import { parentPort } from 'node:worker_threads';
import { plan, PlanVerificationError, type Inventory } from '../../planner/index.js';
import type { PoolError, ToWorker } from './plan-pool.js';
import { hold, heldOf, type Held } from './plan-pool-held.js';

/** The snapshots this worker holds; the pool keeps the same list (newest last). */
const held: (Held & { inventory: Inventory })[] = [];

function errorOf(err: unknown): PoolError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { code?: string; host?: string };
  return {
    name: e.name,
    message: e.message,
    code: e.code,
    host: e.host,
    violations: err instanceof PlanVerificationError ? err.violations : undefined,
  };
}

function memory(): void {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, heapTotal } = process.memoryUsage();
  const instances = held.reduce((n, h) => n + h.instances, 0);
  parentPort!.postMessage({ type: 'memory', heapUsed, heapTotal, versions: held.length, instances });
}

parentPort!.on('message', (msg: ToWorker) => {
  if (msg.type === 'memory') return memory();
  if (msg.type === 'inventory') {
    hold(held, { ...heldOf(msg.version, msg.inventory), inventory: msg.inventory });
    return;
  }
  const snapshot = held.find((h) => h.version === msg.version);
  try {
    if (!snapshot) throw new Error(`planning worker holds no inventory version ${msg.version}`);
    const options = msg.wallClock ? { ...msg.options, now: () => Date.now() } : msg.options;
    const result = plan(snapshot.inventory, msg.request, options);
    parentPort!.postMessage({ type: 'done', job: msg.job, verified: true, plan: result });
  } catch (err) {
    parentPort!.postMessage({ type: 'failed', job: msg.job, error: errorOf(err) });
  }
});
