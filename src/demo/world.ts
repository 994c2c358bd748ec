/**
 * The demo world kept across restarts: where each VM of the simulated region is and its state,
 * and the demo clock, in a JSON file next to the store (`<store>.demo-world.json`). At start-up
 * the region is generated from its seed and the saved placements are applied, so VMs moved
 * before a restart stay moved; a migration running when the process stopped is interrupted (the
 * VM is where it was before it, on its source), as when a host's migration job dies. The clock
 * continues from the saved point at the configured scale, so it never goes back. Unless opened
 * read-only, the world is saved every `saveEveryMs` of real time, after every migration settles,
 * and on close; a file of another region (seed, cells, size) or one that cannot be read is
 * ignored and replaced.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';
import type { SimulatedCluster } from '../../executor/hypervisor/simulated/cluster.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type { HostConfig } from '../../executor/hypervisor/types.js';
import type { Instance, Inventory } from '../../planner/index.js';
import { scaledClock, type ClockAnchor } from './clock.js';
import { demoRegion, type DemoRegionOptions } from './region.js';

const VERSION = 1;
const STATUS = { running: 'ACTIVE', paused: 'PAUSED', shutoff: 'SHUTOFF' } as const;

/** The saved world: region, clock anchor and where each domain is. */
export interface WorldFile {
  version: number;
  region: DemoRegionOptions;
  clock: ClockAnchor;
  domains: { id: string; host: string; state: keyof typeof STATUS }[];
}

export interface DemoWorldOptions {
  region: DemoRegionOptions;
  timeScale: number;
  /** The store's path; `:memory:` keeps nothing. */
  storePath: string;
  /** @default 1000 */
  saveEveryMs?: number;
  /** Read the saved world but never write it (plan-only runs beside a running service). @default false */
  readOnly?: boolean;
  base?: Clock;
  onWarning?: (message: string) => void;
}

export interface DemoWorld {
  cluster: SimulatedCluster;
  hosts: HostConfig[];
  inventory: Inventory;
  clock: Clock;
  /** Whether the world continued from a saved file. */
  restored: boolean;
}

export const demoWorldPath = (storePath: string): string | null =>
  storePath === ':memory:' ? null : `${storePath}.demo-world.json`;

function read(path: string | null, region: DemoRegionOptions, warn: (m: string) => void): WorldFile | null {
  if (!path || !existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    warn(`demo world ${path} cannot be read (${(err as Error).message}); starting from the seed`);
    return null;
  }
  return parseWorld(text, region, path, warn);
}

/** A saved world of `region`, or null (with a warning naming `where`) when it is of another region or unreadable. */
export function parseWorld(
  text: string,
  region: DemoRegionOptions,
  where: string,
  warn: (m: string) => void,
): WorldFile | null {
  try {
    const file = JSON.parse(text) as WorldFile;
    if (file.version !== VERSION || JSON.stringify(file.region) !== JSON.stringify(region)) {
      warn(`demo world ${where} is of another region or version; starting from the seed`);
      return null;
    }
    return file;
  } catch (err) {
    warn(`demo world ${where} cannot be read (${(err as Error).message}); starting from the seed`);
    return null;
  }
}

/** A world document of `region` now: its clock anchor and every domain's placement. */
export function worldDoc(region: DemoRegionOptions, base: Clock, clock: Clock, cluster: SimulatedCluster): WorldFile {
  return {
    version: VERSION,
    region,
    clock: { realMs: base.now(), clockMs: clock.now() },
    domains: cluster.placements(),
  };
}

/** The region with the saved placements applied (instances the file does not know stay where generated). */
export function restore(inventory: Inventory, file: WorldFile): Inventory {
  const saved = new Map(file.domains.map((d) => [d.id, d]));
  const hosts = new Set(inventory.hosts.map((h) => h.name));
  const instances = inventory.instances.map((i): Instance => {
    const d = saved.get(i.id);
    return d && hosts.has(d.host) && STATUS[d.state] ? { ...i, host: d.host, status: STATUS[d.state] } : i;
  });
  return { ...inventory, instances };
}

export function openDemoWorld(o: DemoWorldOptions): DemoWorld {
  const base = o.base ?? systemClock;
  const path = demoWorldPath(o.storePath);
  const warn = o.onWarning ?? (() => {});
  const file = read(path, o.region, warn);
  const region = demoRegion(o.region);
  const inventory = file ? restore(region, file) : region;
  const clock = scaledClock(o.timeScale, base, file?.clock);
  const { cluster, hosts } = simulatedClusterFromInventory(inventory, { clock });
  if (!path || o.readOnly) return { cluster, hosts, inventory, clock, restored: file !== null };
  // beside the store, whose folder (data/ on a fresh checkout) may not exist yet
  mkdirSync(dirname(path), { recursive: true });
  let last = '';
  const save = () => {
    const doc = worldDoc(o.region, base, clock, cluster);
    const placements = JSON.stringify(doc.domains);
    if (placements === last) return;
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(doc));
      renameSync(`${path}.tmp`, path);
      last = placements;
    } catch (err) {
      // a full disk must not stop the demo; the next save tries again
      rmSync(`${path}.tmp`, { force: true });
      warn(`demo world not saved to ${path}: ${(err as Error).message}`);
    }
  };
  save();
  const timer = setInterval(save, o.saveEveryMs ?? 1000);
  timer.unref();
  const durable: SimulatedCluster = {
    ...cluster,
    migrate: (req, signal) => cluster.migrate(req, signal).finally(save),
    suspend: (host, id, signal) => cluster.suspend(host, id, signal).finally(save),
    resume: (host, id, signal) => cluster.resume(host, id, signal).finally(save),
    async close() {
      clearInterval(timer);
      save();
      await cluster.close();
    },
  };
  return { cluster: durable, hosts, inventory, clock, restored: file !== null };
}
