/**
 * Where the report's inputs come from: an inventory file, or the service configuration (the
 * demo region or the configured hypervisors) plus the store's maintenance flags and move history.
 */
import { existsSync } from 'node:fs';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { demoRegion } from '../demo/region.js';
import { readInventoryFile } from '../inventory/file.js';
import { recentlyMovedInstances } from '../nightly/cooldown.js';
import { openStore } from '../store/sqlite.js';

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads and validates an inventory file; the message names the file and every bad field. */
export async function readInventory(path: string): Promise<Loaded<Inventory>> {
  const result = await readInventoryFile(path);
  return result.ok ? { ok: true, value: result.inventory } : { ok: false, message: result.errors.join('\n') };
}

/** The inventory the service would see: the seeded demo region when no hypervisor is configured. */
export function inventoryFromConfig(config: Config): Loaded<Inventory> {
  if (config.hypervisors.length === 0) {
    return { ok: true, value: demoRegion({ seed: config.demo.seed, cells: config.demo.cells, size: config.demo.size }) };
  }
  return {
    ok: false,
    message: 'the report does not collect from live hypervisors itself; save an inventory snapshot and pass it with --inventory',
  };
}

export interface ServiceState {
  maintenanceHosts: string[];
  frozenInstances: string[];
}

/** Maintenance flags and cool-down from the service's store; empty when the store does not exist yet. */
export function serviceState(storePath: string, cooldownHours: number, now: number): ServiceState {
  if (storePath !== ':memory:' && !existsSync(storePath)) return { maintenanceHosts: [], frozenInstances: [] };
  const store = openStore(storePath);
  try {
    return {
      maintenanceHosts: store.listMaintenance().map((m) => m.host),
      frozenInstances: recentlyMovedInstances(store, now - cooldownHours * 3_600_000),
    };
  } finally {
    store.close();
  }
}
