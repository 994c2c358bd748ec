/**
 * One working session over the configured cluster: hypervisor, host settings, store and an
 * inventory collector, opened from configuration and closed together. Used by the drain command
 * and any other entry point that plans and executes against live hosts.
 */
import type { ServiceStore } from '../store/port.js';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import { collectInventory, type CollectWarning } from '../inventory/collect.js';
import type { CpuAnswerCache } from '../inventory/cpu.js';
import type { Logger } from '../log.js';
import { openConfiguredStore, storeExists, storeLocation } from '../store/open.js';
import pg from 'pg';
import { openCluster, openSharedDemoCluster, type Cluster } from './cluster.js';
import type { SharedDemoWorld } from '../demo/shared-world.js';

export interface SessionOptions {
  log?: Logger;
  /**
   * `create` opens (and creates) the store; `existing` opens it only when it exists (an SQLite
   * file; a PostgreSQL database always does), so plan-only runs still honour maintenance without
   * leaving a database behind. @default 'create'
   */
  store?: 'create' | 'existing';
  /**
   * The demo world (no hypervisors configured): `write` keeps its changes next to the store,
   * `read` only continues from it (plan-only runs beside a service). @default store === 'existing' ? 'read' : 'write'
   */
  demoWorld?: 'read' | 'write';
  /** Gap between CPU samples when collecting. @default 1000 */
  sampleMs?: number;
  /** Dirty-rate measurement time; 0 skips it. @default config.inventory.dirtyRateMs */
  dirtyRateMs?: number;
  onWarning?: (w: CollectWarning) => void;
  /**
   * Replicas on PostgreSQL: confirms this replica may write the shared demo world now (it leads).
   * @default never (the world is only read)
   */
  mayWriteWorld?: () => Promise<boolean>;
}

export interface Session {
  config: Config;
  cluster: Cluster;
  /** The demo world shared by replicas through PostgreSQL (src/demo/shared-world.ts); null otherwise. */
  world: SharedDemoWorld | null;
  store: ServiceStore | null;
  /** A fresh inventory of the configured hosts (only those named in `only`, when given). */
  collect(signal?: AbortSignal, only?: readonly string[]): Promise<Inventory>;
  close(): Promise<void>;
}

export async function openSession(config: Config, options: SessionOptions = {}): Promise<Session> {
  const store =
    options.store !== 'existing' || storeExists(config.store)
      ? await openConfiguredStore(config.store, {
          onIdleError: (err) => options.log?.warn({ err }, 'a PostgreSQL connection closed; it is replaced'),
        })
      : null;
  const world = options.demoWorld ?? (options.store === 'existing' ? 'read' : 'write');
  const at = storeLocation(config.store);
  // on PostgreSQL the demo world lives in the database, shared by the replicas
  const worldDb =
    at.kind === 'postgres' && config.hypervisors.length === 0
      ? new pg.Pool({ connectionString: at.url, max: 2, connectionTimeoutMillis: 5000 })
      : null;
  worldDb?.on('error', (err) => options.log?.warn({ err }, 'a demo world connection closed; it is replaced'));
  const shared = worldDb
    ? await openSharedDemoCluster(config, {
        db: worldDb,
        mayWrite: options.mayWriteWorld ?? (async () => false),
        log: options.log,
      })
    : null;
  const cluster = shared ?? openCluster(config, options.log, { readOnly: world === 'read' });
  // the hypervisors' CPU answers hold as long as the hosts' versions do
  const cpuCache: CpuAnswerCache = new Map();
  const collect = async (signal?: AbortSignal, only?: readonly string[]) => {
    // a standby's shared demo world is read again first: it plans on the leader's latest moves
    await shared?.world.reload();
    return collectInventory({
      hypervisor: cluster.hypervisor,
      hosts: only ? cluster.hosts.filter((h) => only.includes(h.name)) : cluster.hosts,
      serverGroups: cluster.serverGroups,
      clock: cluster.clock,
      sampleMs: options.sampleMs ?? 1000,
      dirtyRateMs: options.dirtyRateMs ?? config.inventory.dirtyRateMs,
      cpuCache,
      signal,
      onWarning: options.onWarning,
    });
  };
  return {
    config,
    cluster,
    world: shared?.world ?? null,
    store,
    collect,
    async close() {
      await store?.close();
      await cluster.hypervisor.close();
      await worldDb?.end();
    },
  };
}
