/**
 * Where the report's inputs come from: an inventory file, or the service configuration (the
 * configured hypervisors, or the simulated demo region without any) and the service's store.
 */
import type { ServiceStore } from '../store/port.js';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { readInventoryFile } from '../inventory/file.js';
import type { CollectWarning } from '../inventory/collect.js';
import { openSession } from '../orchestrate/session.js';
import { openConfiguredStore, storeExists } from '../store/open.js';
import { openStore } from '../store/sqlite.js';

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads and validates an inventory file; the message names the file and every bad field. */
export async function readInventory(path: string): Promise<Loaded<Inventory>> {
  const result = await readInventoryFile(path);
  return result.ok ? { ok: true, value: result.inventory } : { ok: false, message: result.errors.join('\n') };
}

/**
 * The service's store for reading (maintenance flags, move history for the cool-down), or a
 * throwaway empty one when the store does not exist yet: a report never creates it.
 */
export async function storeForReading(config: Config | null): Promise<ServiceStore> {
  return config && storeExists(config.store) ? openConfiguredStore(config.store) : openStore(':memory:');
}

/**
 * Collects the inventory the service would see (never creates a store). Unreachable hosts are
 * reported through `onWarning` and show as down.
 */
export async function collectFromConfig(config: Config, onWarning: (w: CollectWarning) => void): Promise<Inventory> {
  const session = await openSession(config, { store: 'existing', sampleMs: config.inventory.sampleMs, onWarning });
  try {
    return await session.collect();
  } finally {
    await session.close();
  }
}
