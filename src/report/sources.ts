/**
 * Where the report's inputs come from: an inventory file, or the service configuration (the
 * configured hypervisors, or the simulated demo region without any) plus the store's
 * maintenance flags and move history (cool-down).
 */
import type { ExecutorStore } from '../../executor/store.js';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { readInventoryFile } from '../inventory/file.js';
import type { CollectWarning } from '../inventory/collect.js';
import { recentlyMovedInstances } from '../nightly/cooldown.js';
import { openSession } from '../orchestrate/session.js';
import { openStore } from '../store/sqlite.js';
import { existsSync } from 'node:fs';

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ServiceState {
  maintenanceHosts: string[];
  frozenInstances: string[];
}

/** Reads and validates an inventory file; the message names the file and every bad field. */
export async function readInventory(path: string): Promise<Loaded<Inventory>> {
  const result = await readInventoryFile(path);
  return result.ok ? { ok: true, value: result.inventory } : { ok: false, message: result.errors.join('\n') };
}

function stateOf(store: ExecutorStore | null, cooldownHours: number, now: number): ServiceState {
  if (!store) return { maintenanceHosts: [], frozenInstances: [] };
  return {
    maintenanceHosts: store.listMaintenance().map((m) => m.host),
    frozenInstances: recentlyMovedInstances(store, now - cooldownHours * 3_600_000),
  };
}

/** Maintenance flags and cool-down from the service's store; empty when the store does not exist yet. */
export function serviceState(config: Config, now: number): ServiceState {
  const path = config.store.path;
  if (path === ':memory:' || !existsSync(path)) return stateOf(null, 0, now);
  const store = openStore(path);
  try {
    return stateOf(store, config.nightly.cooldownHours, now);
  } finally {
    store.close();
  }
}

/**
 * Collects the inventory the service would see (never creates a store) and reads the service
 * state alongside. Unreachable hosts are reported through `onWarning` and show as down.
 */
export async function collectFromConfig(
  config: Config,
  now: number,
  onWarning: (w: CollectWarning) => void,
): Promise<{ inventory: Inventory; state: ServiceState }> {
  const session = openSession(config, { store: 'existing', sampleMs: config.inventory.sampleMs, onWarning });
  try {
    const inventory = await session.collect();
    return { inventory, state: stateOf(session.store, config.nightly.cooldownHours, now) };
  } finally {
    await session.close();
  }
}
