/**
 * The part of an inventory a plan can touch: instances never leave their cell, so a drain or a
 * balance of some cells only needs those cells' hosts, instances and server groups. Planning on
 * the slice is much cheaper in a large region. Slices are remembered per snapshot object.
 */
import type { Inventory } from '../../planner/index.js';

const cache = new WeakMap<Inventory, Map<string, Inventory>>();

export function sliceCells(inventory: Inventory, cells: string[]): Inventory {
  if (!cells.length) return inventory;
  const key = [...new Set(cells)].sort().join('\u0000');
  let perSnapshot = cache.get(inventory);
  if (!perSnapshot) {
    perSnapshot = new Map();
    cache.set(inventory, perSnapshot);
  }
  const hit = perSnapshot.get(key);
  if (hit) return hit;
  const wanted = new Set(cells);
  const hosts = inventory.hosts.filter((h) => wanted.has(h.cell));
  const names = new Set(hosts.map((h) => h.name));
  const instances = inventory.instances.filter((i) => names.has(i.host));
  const groups = new Set(instances.map((i) => i.serverGroup).filter((g): g is string => g !== null));
  const slice = { hosts, instances, serverGroups: inventory.serverGroups.filter((g) => groups.has(g.id)) };
  perSnapshot.set(key, slice);
  return slice;
}

const cellOfHost = new WeakMap<Inventory, Map<string, string>>();

/** Cells of the named hosts (unknown names have none), in the hosts' order; indexed once per snapshot. */
export function cellsOf(inventory: Inventory, hosts: string[]): string[] {
  let index = cellOfHost.get(inventory);
  if (!index) {
    index = new Map(inventory.hosts.map((h) => [h.name, h.cell]));
    cellOfHost.set(inventory, index);
  }
  const cells = new Set<string>();
  for (const name of hosts) {
    const cell = index.get(name);
    if (cell !== undefined) cells.add(cell);
  }
  return [...cells];
}
