/**
 * A simulated libvirt cluster implementing the Hypervisor interface on a Clock (virtual in
 * tests and benchmarks, scaled real time in the demo). The migration model is described in
 * flow.ts; faults are injected through `faults` (see faults.ts).
 *
 * Choices worth knowing:
 * - A completed migration undefines the domain on the source (libvirt's UNDEFINE_SOURCE |
 *   PERSIST_DEST), so a domain is defined on exactly one host except during post-copy.
 * - Host loss cuts a host off; its domains are not destroyed and reappear when it comes back.
 *   While it is down, calls naming it fail with HOST_UNREACHABLE (transient), `hostFacts`
 *   reports `reachable: false`, `locate` leaves it out, and migrations from or to it fail.
 * - Memory arriving with an incoming migration counts on the destination only once it lands.
 */
import type { Clock } from '../../clock.js';
import { HypervisorError } from '../errors.js';
import type { Hypervisor, JobProgress, MigrationRequest } from '../types.js';
import { createEngine } from './engine.js';
import { createFaults, type Faults } from './faults.js';
import { remainingBytes, type Job } from './flow.js';
import { createState } from './state.js';
import { GIB, MIB, mbpsToBps, type SimDomainSpec, type SimHostSpec, type SimModelOptions } from './types.js';
import { checkMigration } from './validate.js';
import { land, setRunState } from './domain-ops.js';
import { createDirtyRateMeter } from './dirty-rate.js';

export interface MigrationRecord {
  domainId: string;
  from: string;
  to: string;
  mode: MigrationRequest['mode'];
  startedAt: number;
  endedAt: number | null;
  outcome: 'running' | 'completed' | 'failed' | 'aborted';
}

export interface SimulatedCluster extends Hypervisor {
  readonly kind: 'simulated';
  readonly faults: Faults;
  readonly clock: Clock;
  /** Every migration ever started, in order (to check that nothing moved twice). */
  readonly migrations: MigrationRecord[];
  /** Where a domain is and its state, ignoring reachability (the simulation's ground truth). */
  whereIs(domainId: string): { host: string; state: string; postCopyTo: string | null } | null;
  /** Where every domain is and its state, in definition order (to persist the world). */
  placements(): { id: string; host: string; state: 'running' | 'paused' | 'shutoff' }[];
  /** Migrations in flight now: domain, hosts, phase and granted bandwidth (bytes/s). */
  activeJobs(): { domainId: string; from: string; to: string; phase: string; rateBps: number }[];
}

export interface SimulatedClusterOptions extends SimModelOptions {
  clock: Clock;
  hosts: SimHostSpec[];
  domains: SimDomainSpec[];
}

export function createSimulatedCluster(opts: SimulatedClusterOptions): SimulatedCluster {
  const { clock } = opts;
  const state = createState(opts.hosts, opts.domains, clock.now());
  const migrations: MigrationRecord[] = [];
  const records = new Map<Job, MigrationRecord>();
  let seq = 0;
  const engine = createEngine(clock, {
    capBps: (link) => {
      const h = state.hosts.get(link.slice(link.indexOf(':') + 1))!;
      return mbpsToBps(h.spec.nicMbps) * h.speed;
    },
    landed: (job) => land(state, job, clock.now(), records),
    injectedError: (job) => faults.errorFor(job),
  });
  const faults = createFaults({ state, engine, clock, records });
  const sync = () => {
    engine.sync();
    state.accountCpu(clock.now());
  };
  const jobOn = (host: string, domainId: string) =>
    engine.find((j) => j.req.domainId === domainId && j.req.from === host);
  const dirtyMeter = createDirtyRateMeter(state, clock, (id) => {
    sync();
    return engine.find((j) => j.req.domainId === id) !== undefined;
  });

  const cluster: SimulatedCluster = {
    kind: 'simulated',
    faults,
    clock,
    migrations,
    async hostFacts(host) {
      sync();
      return state.hostFacts(host);
    },
    async listDomains(host) {
      sync();
      state.reachable(host);
      return state.domainsOn(host).map((d) => state.domainFacts(d, host));
    },
    async migrate(req, signal) {
      sync();
      const d = checkMigration(state, req, engine.find((j) => j.req.domainId === req.domainId) !== undefined);
      const disk =
        req.mode === 'live'
          ? 0
          : d.facts.disks
              .filter((k) => k.storage === 'local' && k.device === 'disk')
              .reduce((s, k) => s + k.sizeGb * GIB, 0);
      const job: Job = {
        seq: seq++,
        req: { ...req },
        startedAt: clock.now(),
        phase: 'setup',
        setupLeftMs: (opts.setupMs ?? 1000) + (req.mode === 'cold' ? (opts.coldExtraMs ?? 0) : 0),
        diskLeft: disk,
        memoryBytes: req.mode === 'cold' ? 0 : d.facts.memoryMb * MIB,
        roundLeft: 0,
        dirtied: 0,
        round: 0,
        processed: 0,
        rate: 0,
        dirtyBps: mbpsToBps(d.dirtyRateMbps),
        suspended: d.state === 'paused',
        stalled: false,
        failAtMs: null,
        maxDowntimeMs: req.maxDowntimeMs ?? opts.defaultMaxDowntimeMs ?? 500,
      };
      faults.arm(job);
      const rec: MigrationRecord = {
        domainId: req.domainId,
        from: req.from,
        to: req.to,
        mode: req.mode,
        startedAt: job.startedAt,
        endedAt: null,
        outcome: 'running',
      };
      migrations.push(rec);
      records.set(job, rec);
      const done = engine.start(job);
      if (!signal) return done;
      // aborting the signal only stops the caller's wait; the job goes on (as with libvirt)
      let onAbort: () => void = () => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      return Promise.race([done, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
    },
    async jobProgress(host, domainId) {
      sync();
      state.reachable(host);
      const h = jobOn(host, domainId);
      if (!h)
        return { type: 'none', elapsedMs: 0, dataTotal: 0, dataProcessed: 0, dataRemaining: 0 } satisfies JobProgress;
      const j = h.job;
      const remaining = remainingBytes(j);
      return {
        type: 'unbounded',
        elapsedMs: clock.now() - j.startedAt,
        dataTotal: Math.round(j.processed + remaining),
        dataProcessed: Math.round(j.processed),
        dataRemaining: Math.round(remaining),
        memDirtyRateBps: Math.round(j.dirtyBps),
        postCopy: j.phase === 'postcopy',
      };
    },
    async abortJob(host, domainId) {
      sync();
      state.reachable(host);
      const h = jobOn(host, domainId);
      if (!h) throw new HypervisorError('NOT_FOUND', `no migration job runs for domain ${domainId} on ${host}`, false);
      if (h.job.phase === 'postcopy')
        throw new HypervisorError('UNSUPPORTED', `cannot abort a post-copy migration of ${domainId}`, false);
      records.get(h.job)!.outcome = 'aborted';
      engine.fail(h, new HypervisorError('ABORTED', `migration of ${domainId} was aborted`, false));
    },
    async setMaxSpeed(host, domainId, mibps) {
      sync();
      state.reachable(host);
      const h = jobOn(host, domainId);
      if (!h) throw new HypervisorError('NOT_FOUND', `no migration job runs for domain ${domainId} on ${host}`, false);
      h.job.req.bandwidthMiBps = mibps;
      engine.kick();
    },
    async startPostCopy(host, domainId) {
      sync();
      state.reachable(host);
      const h = jobOn(host, domainId);
      if (!h) throw new HypervisorError('NOT_FOUND', `no migration job runs for domain ${domainId} on ${host}`, false);
      const j = h.job;
      if (!j.req.postCopy)
        throw new HypervisorError(
          'MIGRATION_FAILED',
          `post-copy was not enabled for the migration of ${domainId}`,
          false,
        );
      if (j.phase !== 'precopy')
        throw new HypervisorError('BUSY', `migration of ${domainId} is in phase ${j.phase}, not pre-copy`, true);
      state.accountCpu(clock.now());
      j.phase = 'postcopy';
      j.roundLeft += j.dirtied;
      j.dirtied = 0;
      state.domains.get(domainId)!.postCopyTo = j.req.to;
      engine.kick();
    },
    ...dirtyMeter,
    async suspend(host, domainId) {
      setRunState(state, engine, host, domainId, 'paused', clock.now());
    },
    async resume(host, domainId) {
      setRunState(state, engine, host, domainId, 'running', clock.now());
    },
    async locate(domainId, hosts) {
      sync();
      const d = state.domains.get(domainId);
      const up = hosts.filter((h) => state.hosts.get(h)?.reachable);
      if (!d) return { runningOn: [], definedOn: [] };
      const p = state.placeOf(d);
      return {
        runningOn: p.runningOn.filter((h) => up.includes(h)),
        definedOn: p.definedOn.filter((h) => up.includes(h)),
      };
    },
    async close() {
      engine.close();
    },
    whereIs(domainId) {
      sync();
      const d = state.domains.get(domainId);
      return d ? { host: d.host, state: d.state, postCopyTo: d.postCopyTo } : null;
    },
    placements() {
      sync();
      return [...state.domains.values()].map((d) => ({ id: d.facts.id, host: d.host, state: d.state }));
    },
    activeJobs: () => {
      sync();
      return engine
        .jobs()
        .map((j) => ({ domainId: j.req.domainId, from: j.req.from, to: j.req.to, phase: j.phase, rateBps: j.rate }));
    },
  };
  return cluster;
}
