/**
 * The demo world of replicas on one PostgreSQL store: the same document as world.ts keeps in a
 * file, in the `demo_world` row, so several demo replicas share one simulated cluster.
 *
 * - At open, the first replica's fresh world (generated from the seed, clock anchored now) is
 *   inserted unless a world is there already; every replica then continues from the stored one,
 *   so all of them run the same scaled clock and see the same placements.
 * - The leader writes it: every `saveEveryMs`, after every migration, suspend or resume settles
 *   (before the executor hears of it), each write only after the leader lease is confirmed.
 * - A standby reloads it on its poll (`reload`): its cluster is rebuilt from the stored placements,
 *   so its inventory shows the leader's moves. On taking the lease (`lead(true)`) a replica reloads
 *   once more and becomes the writer; a migration the previous leader had in flight is then
 *   interrupted (the VM is on its source), as when a host's migration job dies.
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';
import type { SimulatedCluster } from '../../executor/hypervisor/simulated/cluster.js';
import { simulatedClusterFromInventory } from '../../executor/hypervisor/simulated/index.js';
import type {
  CpuVerdict,
  DomainFacts,
  DomainLocation,
  GuestCpu,
  HostConfig,
  HostFacts,
  JobProgress,
  MigrationRequest,
} from '../../executor/hypervisor/types.js';
import type { Wrapper } from '../../executor/wrapper.js';
import type { Inventory } from '../../planner/index.js';
import type { SqlRunner } from '../ha/lease.js';
import { scaledClock } from './clock.js';
import { demoRegion, type DemoRegionOptions } from './region.js';
import { parseWorld, restore, worldDoc, type DemoWorld } from './world.js';

export interface SharedWorldOptions {
  region: DemoRegionOptions;
  timeScale: number;
  db: SqlRunner;
  /** Confirms this replica may write the world now (it holds the leader lease). */
  mayWrite: () => Promise<boolean>;
  /** @default 1000 */
  saveEveryMs?: number;
  base?: Clock;
  onWarning?: (message: string) => void;
}

export interface SharedDemoWorld extends DemoWorld {
  /** A standby: the cluster follows the stored placements. No-op while leading. */
  reload(): Promise<void>;
  /** Becomes (true: after one last reload) or stops being (false) the world's writer. */
  lead(on: boolean): Promise<void>;
}

const WHERE = 'demo_world (PostgreSQL)';

/** A simulated cluster whose world can be replaced under the same object (the executor and collector keep it). */
class WorldCluster implements SimulatedCluster, Wrapper<SimulatedCluster> {
  readonly kind = 'simulated' as const;
  readonly compareCpu: SimulatedCluster['compareCpu'];
  constructor(
    public current: SimulatedCluster,
    /** After a migration, suspend or resume settled: the world is saved before the caller hears of it. */
    private readonly settled: () => Promise<void>,
    /** Before the cluster closes (the last save). */
    private readonly closing: () => Promise<void>,
  ) {
    this.compareCpu = (host: string, cpu: GuestCpu, signal?: AbortSignal): Promise<CpuVerdict> =>
      this.current.compareCpu!(host, cpu, signal);
  }
  get faults() {
    return this.current.faults;
  }
  get clock() {
    return this.current.clock;
  }
  get migrations() {
    return this.current.migrations;
  }
  whereIs(domainId: string) {
    return this.current.whereIs(domainId);
  }
  placements() {
    return this.current.placements();
  }
  activeJobs() {
    return this.current.activeJobs();
  }
  hostFacts(host: string, signal?: AbortSignal): Promise<HostFacts> {
    return this.current.hostFacts(host, signal);
  }
  listDomains(host: string, signal?: AbortSignal): Promise<DomainFacts[]> {
    return this.current.listDomains(host, signal);
  }
  async migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void> {
    try {
      await this.current.migrate(req, signal);
    } finally {
      await this.settled();
    }
  }
  jobProgress(host: string, domainId: string, signal?: AbortSignal): Promise<JobProgress> {
    return this.current.jobProgress(host, domainId, signal);
  }
  abortJob(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.current.abortJob(host, domainId, signal);
  }
  setMaxSpeed(host: string, domainId: string, mibps: number, signal?: AbortSignal): Promise<void> {
    return this.current.setMaxSpeed(host, domainId, mibps, signal);
  }
  startPostCopy(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    return this.current.startPostCopy(host, domainId, signal);
  }
  startDirtyRateCalc(host: string, domainIds: string[], seconds: number, signal?: AbortSignal): Promise<string[]> {
    return this.current.startDirtyRateCalc(host, domainIds, seconds, signal);
  }
  dirtyRates(host: string, domainIds: string[], signal?: AbortSignal): Promise<Map<string, number>> {
    return this.current.dirtyRates(host, domainIds, signal);
  }
  async suspend(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.current.suspend(host, domainId, signal);
    } finally {
      await this.settled();
    }
  }
  async resume(host: string, domainId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.current.resume(host, domainId, signal);
    } finally {
      await this.settled();
    }
  }
  locate(domainId: string, hosts: string[], signal?: AbortSignal): Promise<DomainLocation> {
    return this.current.locate(domainId, hosts, signal);
  }
  async close(): Promise<void> {
    await this.closing();
    await this.current.close();
  }
}

export async function openSharedDemoWorld(o: SharedWorldOptions): Promise<SharedDemoWorld> {
  const base = o.base ?? systemClock;
  const warn = o.onWarning ?? (() => {});
  const region = demoRegion(o.region);
  // the first replica's fresh world, unless one is stored: every replica continues from the stored one
  const fresh = simulatedClusterFromInventory(region, { clock: scaledClock(o.timeScale, base) });
  const seed = worldDoc(o.region, base, fresh.cluster.clock, fresh.cluster);
  await fresh.cluster.close();
  const inserted = await o.db.query(
    'INSERT INTO demo_world (id, doc) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING id',
    [JSON.stringify(seed)],
  );
  const readDoc = async () => {
    const { rows } = await o.db.query<{ doc: string }>('SELECT doc FROM demo_world WHERE id = 1');
    return rows[0] ? parseWorld(rows[0].doc, o.region, WHERE, warn) : null;
  };
  const file = (await readDoc()) ?? seed;
  const clock = scaledClock(o.timeScale, base, file.clock);
  const build = (inventory: Inventory) => simulatedClusterFromInventory(inventory, { clock });
  const first = build(restore(region, file));
  const hosts: HostConfig[] = first.hosts;

  let leading = false;
  let last = JSON.stringify(file.domains);
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    saving = saving.then(async () => {
      if (!leading) return;
      const doc = worldDoc(o.region, base, clock, cluster.current);
      const placements = JSON.stringify(doc.domains);
      if (placements === last) return;
      try {
        if (!(await o.mayWrite())) return;
        await o.db.query(
          `INSERT INTO demo_world (id, doc, updated_at) VALUES (1, $1, now())
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()`,
          [JSON.stringify(doc)],
        );
        last = placements;
      } catch (err) {
        // the database being away must not stop the demo; the next save tries again
        warn(`demo world not saved to ${WHERE}: ${(err as Error).message}`);
      }
    });
    return saving;
  };
  const timer = setInterval(() => void save(), o.saveEveryMs ?? 1000);
  timer.unref();
  const cluster = new WorldCluster(first.cluster, save, async () => {
    clearInterval(timer);
    await save();
  });

  const reload = async (force: boolean) => {
    if (leading && !force) return;
    const doc = await readDoc();
    if (!doc) return;
    const placements = JSON.stringify(doc.domains);
    if (placements === last && !force) return;
    const old = cluster.current;
    cluster.current = build(restore(region, doc)).cluster;
    last = placements;
    await old.close();
  };

  const world: SharedDemoWorld = {
    cluster,
    hosts,
    inventory: restore(region, file),
    clock,
    restored: inserted.rows.length === 0,
    reload: () => reload(false),
    async lead(on) {
      if (on === leading) return;
      if (on) {
        await reload(true);
        leading = true;
      } else {
        leading = false;
        await saving;
      }
    },
  };
  return world;
}
