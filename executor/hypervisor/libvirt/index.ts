/**
 * The libvirt Hypervisor: real hosts through the patched node-libvirt binding (see binding.ts).
 * Live and block migrations are peer-to-peer: the source libvirtd connects to the destination's
 * `migrationUri` itself, so this service only needs to reach each host's `uri`.
 */
import type { Logger } from 'pino';
import { HypervisorError } from '../errors.js';
import type { DomainLocation, GuestCpu, HostConfig, Hypervisor, JobProgress, MigrationRequest } from '../types.js';
import { loadBinding, pinned, type LibvirtBinding, type LvConnection, type LvDomain } from './binding.js';
import { createConnectionPool } from './connections.js';
import { compareGuestCpu, expandHostModel } from './cpu.js';
import { isConnectionError, toHypervisorError } from './errors.js';
import { listAllDomains, readDomainFacts, readHostFacts, unreachableHost } from './facts.js';
import { readDirtyRates, startDirtyRateCalc } from './dirty-rate.js';
import {
  idleProgress,
  migrationFlags,
  migrationParams,
  progressFromJobInfo,
  progressFromJobStats,
  XML_SECURE_INACTIVE,
} from './migration.js';

export interface LibvirtHypervisorOptions {
  hosts: HostConfig[];
  log?: Logger;
  /** Directories on storage every host sees; disks below them are `shared`. @default [] */
  sharedStoragePaths?: string[];
  /** Storage pools whose capacity is the host's disk size, first existing one wins. @default ['default', 'images'] */
  storagePools?: string[];
  /** The binding; loaded from the project's build when absent (throws UNSUPPORTED if not built). */
  binding?: LibvirtBinding;
}

export { bindingProblem, loadBinding } from './binding.js';

export function createLibvirtHypervisor(options: LibvirtHypervisorOptions): Hypervisor {
  const binding = options.binding ?? loadBinding();
  const log = options.log;
  const pool = createConnectionPool(binding, options.hosts, log);
  const parse = { sharedPaths: options.sharedStoragePaths ?? [] };
  const pools = options.storagePools ?? ['default', 'images'];
  /** Domains (by host/id) switched to post-copy by this process: libvirt job stats do not say so. */
  const inPostCopy = new Set<string>();
  // Each running migration occupies one libuv thread-pool thread (4 unless UV_THREADPOOL_SIZE is
  // set before start-up); when all are busy every other binding call and fs operation waits.
  const poolThreads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  let migrating = 0;

  const lookup = (conn: LvConnection, id: string) => conn.lookupDomainByUUIDAsync(id);
  /**
   * Runs `fn` on the domain `id` at `host`, errors mapped (`migration` marks migration calls).
   * `dedicated` runs it on a connection of its own (the migration call itself).
   */
  function onDomain<T>(
    host: string,
    id: string,
    what: string,
    fn: (d: LvDomain) => Promise<T>,
    migration = false,
    dedicated = false,
  ): Promise<T> {
    const label = `${what} ${id} on ${host}`;
    const body = async (conn: LvConnection) => {
      const dom = await lookup(conn, id);
      // connection errors stay raw so that the pool drops the broken connection
      return pinned(dom, () => fn(dom)).catch((err: unknown) =>
        Promise.reject(isConnectionError(err) ? err : toHypervisorError(err, label, migration)),
      );
    };
    return dedicated ? pool.dedicated(host, label, body) : pool.use(host, label, body);
  }

  async function hostFacts(host: string) {
    try {
      return await pool.use(host, `host facts of ${host}`, (conn) => readHostFacts(conn, host, pools), true);
    } catch (err) {
      if (err instanceof HypervisorError && err.code === 'HOST_UNREACHABLE') {
        log?.warn({ host, err }, 'host unreachable');
        return unreachableHost(host);
      }
      throw err;
    }
  }

  async function listDomains(host: string) {
    return pool.use(
      host,
      `list domains of ${host}`,
      async (conn) => {
        const doms = await listAllDomains(conn);
        const facts = await Promise.all(doms.map((d) => pinned(d, () => readDomainFacts(d, parse)).catch(() => null)));
        return expandHostModel(
          conn,
          facts.filter((f) => f !== null),
        );
      },
      true,
    );
  }

  async function migrate(req: MigrationRequest, signal?: AbortSignal): Promise<void> {
    const what = `migrate ${req.domainName} (${req.domainId}) ${req.from} -> ${req.to} (${req.mode})`;
    if (req.from === req.to)
      throw new HypervisorError('MIGRATION_FAILED', `${what}: source and destination are the same host`, false);
    const dest = pool.host(req.to);
    if (req.mode !== 'cold' && migrating + 1 >= poolThreads)
      log?.warn(
        { migrating: migrating + 1, poolThreads },
        'concurrent migrations near the thread-pool size: raise UV_THREADPOOL_SIZE',
      );
    const run =
      req.mode === 'cold'
        ? coldMigrate(req, what)
        : onDomain(
            req.from,
            req.domainId,
            'migrate',
            async (dom) => {
              if (req.maxDowntimeMs)
                await dom
                  .setMigrationMaxDowntimeAsync(req.maxDowntimeMs)
                  .catch((err: unknown) => log?.warn({ err, domain: req.domainName }, 'max downtime not set'));
              log?.info({ domain: req.domainName, from: req.from, to: req.to, mode: req.mode }, 'migration started');
              migrating++;
              try {
                await dom.migrateToURI3Async(dest.migrationUri ?? dest.uri, migrationParams(req), migrationFlags(req));
              } finally {
                migrating--;
              }
            },
            true,
            true,
          ).finally(() => inPostCopy.delete(`${req.from}/${req.domainId}`));
    if (!signal) return run;
    if (signal.aborted) throw signal.reason;
    // aborting the signal only stops waiting; abortJob stops the migration itself
    return Promise.race([
      run,
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]);
  }

  /**
   * Cold migration of a shut-off domain: defined on the destination from the source's
   * persistent XML, then undefined on the source. Disk images are not copied, so domains with
   * local disks are refused.
   */
  async function coldMigrate(req: MigrationRequest, what: string): Promise<void> {
    const xml = await onDomain(req.from, req.domainId, 'cold migrate', async (dom) => {
      if (await dom.isActiveAsync())
        throw new HypervisorError(
          'MIGRATION_FAILED',
          `${what}: the domain is running; cold migration needs it shut off`,
          false,
        );
      const facts = await readDomainFacts(dom, parse);
      const local = facts.disks.filter((d) => d.storage === 'local' && d.device === 'disk' && d.source);
      if (local.length > 0)
        throw new HypervisorError(
          'UNSUPPORTED',
          `${what}: cold migration does not copy local disks (${local.map((d) => d.source).join(', ')})`,
          false,
        );
      return dom.toXmlAsync(XML_SECURE_INACTIVE);
    });
    await pool.use(req.to, `${what}: define on destination`, (conn) => conn.defineDomainAsync(xml));
    await onDomain(req.from, req.domainId, 'undefine after cold migration', (dom) => dom.undefineAsync(0));
  }

  async function jobProgress(host: string, id: string): Promise<JobProgress> {
    try {
      return await onDomain(host, id, 'job progress', async (dom) => {
        const postCopy = inPostCopy.has(`${host}/${id}`);
        try {
          return progressFromJobStats(await dom.getJobStatsAsync(0), postCopy);
        } catch (err) {
          if (/not running/i.test((err as Error).message)) return idleProgress();
          return progressFromJobInfo(await dom.getJobInfoAsync());
        }
      });
    } catch (err) {
      // the domain left the host (migration completed): no job runs there
      if (err instanceof HypervisorError && err.code === 'NOT_FOUND') return idleProgress();
      throw err;
    }
  }

  async function abortJob(host: string, id: string): Promise<void> {
    await onDomain(host, id, 'abort job', async (dom) => {
      try {
        await dom.abortCurrentJobAsync();
      } catch (err) {
        const m = (err as Error).message;
        if (/no job is active/i.test(m))
          throw new HypervisorError('NOT_FOUND', `abort job ${id} on ${host}: ${m}`, false, { cause: err });
        if (/post-?copy/i.test(m))
          throw new HypervisorError('UNSUPPORTED', `abort job ${id} on ${host}: ${m}`, false, { cause: err });
        throw err;
      }
    });
    log?.info({ host, domain: id }, 'migration job aborted');
  }

  async function setMaxSpeed(host: string, id: string, mibps: number): Promise<void> {
    if (!Number.isFinite(mibps) || mibps < 0)
      throw new HypervisorError('INTERNAL', `Expected \`mibps\` to be a non-negative number, got \`${mibps}\``, false);
    await onDomain(host, id, 'set migration speed', (dom) => dom.migrateSetMaxSpeedAsync(Math.round(mibps), 0), true);
  }

  async function startPostCopy(host: string, id: string): Promise<void> {
    await onDomain(host, id, 'start post-copy', (dom) => dom.migrateStartPostCopyAsync(0), true);
    inPostCopy.add(`${host}/${id}`);
  }

  function compareCpu(host: string, cpu: GuestCpu) {
    return pool.use(host, `compare guest CPU on ${host}`, (conn) => compareGuestCpu(conn, cpu), true);
  }

  async function dirtyRates(host: string, ids: string[], signal?: AbortSignal): Promise<Map<string, number>> {
    for (let poll = 0; ; poll++) {
      const r = await pool.use(host, `dirty rates on ${host}`, (conn) => readDirtyRates(conn, ids), true);
      if (r.measuring.length === 0 || poll >= 20 || signal?.aborted) return r.rates;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function locate(id: string, hosts: string[]): Promise<DomainLocation> {
    const seen = await Promise.all(
      hosts.map(async (host) => {
        try {
          return await pool.use(
            host,
            `locate ${id} on ${host}`,
            async (conn) => {
              const dom = await lookup(conn, id).catch(() => null);
              return {
                host,
                defined: dom !== null,
                running: dom !== null && (await pinned(dom, () => dom.isActiveAsync())),
              };
            },
            true,
          );
        } catch (err) {
          log?.warn({ host, domain: id, err }, 'host not asked: unreachable');
          return { host, defined: false, running: false };
        }
      }),
    );
    return {
      runningOn: seen.filter((s) => s.running).map((s) => s.host),
      definedOn: seen.filter((s) => s.defined).map((s) => s.host),
    };
  }

  return {
    kind: 'libvirt',
    hostFacts,
    listDomains,
    migrate,
    jobProgress,
    abortJob,
    setMaxSpeed,
    startPostCopy,
    compareCpu,
    startDirtyRateCalc: (host, ids, seconds) =>
      pool.use(host, `start dirty-rate calc on ${host}`, (conn) => startDirtyRateCalc(conn, ids, seconds), true),
    dirtyRates,
    suspend: (host, id) => onDomain(host, id, 'suspend', (d) => d.suspendAsync()).then(() => undefined),
    resume: (host, id) => onDomain(host, id, 'resume', (d) => d.resumeAsync()).then(() => undefined),
    locate,
    close: () => pool.close(),
  };
}
