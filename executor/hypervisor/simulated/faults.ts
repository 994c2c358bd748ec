/** Fault injection for the simulated cluster: failing, stalling and slow migrations, host loss. */
import type { Clock } from '../../clock.js';
import { HypervisorError, type HypervisorErrorCode } from '../errors.js';
import type { MigrationRequest } from '../types.js';
import type { Engine } from './engine.js';
import type { Job } from './flow.js';
import type { SimState } from './state.js';
import { mbpsToBps } from './types.js';

export interface FailSpec {
  /** @default 'MIGRATION_FAILED' */
  code?: HypervisorErrorCode;
  /** Whether retrying may help. @default false */
  transient?: boolean;
  /** Fail this long after the migration started, ms. @default 0 (at once) */
  afterMs?: number;
  /** How many future migrations this applies to. @default 1 */
  times?: number;
}

export interface Faults {
  /** Makes the next migration(s) matching `match` (a domain id or a predicate) fail. */
  failMigration(match: string | ((req: MigrationRequest) => boolean), spec?: FailSpec): void;
  /** Stops (or restarts) the progress of the domain's migrations: remaining stops decreasing. */
  stall(domainId: string, stalled?: boolean): void;
  /** Cuts a host off: calls naming it fail with HOST_UNREACHABLE; its migrations fail. */
  hostDown(host: string): void;
  hostUp(host: string): void;
  /** Scales a host's NIC bandwidth (0.25 = a quarter of its normal speed). */
  slowHost(host: string, speed: number): void;
  setDirtyRate(domainId: string, mbps: number): void;
  /** Moves a domain behind the executor's back (an operator acted), at once. */
  moveOutOfBand(domainId: string, host: string): void;
  setDomainState(domainId: string, state: 'running' | 'paused' | 'shutoff'): void;
  /** Applies armed faults to a new job (internal). */
  arm(job: Job): void;
  /** The error an armed failure raises (internal). */
  errorFor(job: Job): HypervisorError;
}

interface Armed {
  match: (req: MigrationRequest) => boolean;
  spec: Required<FailSpec>;
  left: number;
}

export function createFaults(ctx: {
  state: SimState;
  engine: Engine;
  clock: Clock;
  records: Map<Job, { endedAt: number | null; outcome: string }>;
}): Faults {
  const { state, engine, clock, records } = ctx;
  const armed: Armed[] = [];
  const stalled = new Set<string>();
  const errors = new Map<Job, Required<FailSpec>>();
  const domain = (id: string) => {
    const d = state.domains.get(id);
    if (!d) throw new RangeError(`unknown domain "${id}"`);
    return d;
  };
  const failJob = (job: Job, err: HypervisorError) => {
    const h = engine.find((j) => j === job);
    if (!h) return;
    Object.assign(records.get(job) ?? {}, { endedAt: clock.now(), outcome: 'failed' });
    engine.fail(h, err);
  };
  return {
    failMigration(match, spec = {}) {
      const full = { code: 'MIGRATION_FAILED' as const, transient: false, afterMs: 0, times: 1, ...spec };
      armed.push({
        match: typeof match === 'string' ? (r) => r.domainId === match : match,
        spec: full,
        left: full.times,
      });
    },
    stall(id, on = true) {
      engine.sync();
      if (on) stalled.add(id);
      else stalled.delete(id);
      for (const j of engine.jobs()) if (j.req.domainId === id) j.stalled = on;
      engine.kick();
    },
    hostDown(host) {
      engine.sync();
      state.accountCpu(clock.now());
      state.host(host).reachable = false;
      for (const j of engine.jobs()) {
        if (j.req.from === host || j.req.to === host) {
          failJob(
            j,
            new HypervisorError(
              'HOST_UNREACHABLE',
              `lost connection to ${host} during the migration of ${j.req.domainId}`,
              true,
            ),
          );
        }
      }
      engine.kick();
    },
    hostUp(host) {
      state.host(host).reachable = true;
    },
    slowHost(host, speed) {
      if (!(speed > 0)) throw new RangeError(`Expected \`speed\` to be a positive number, got \`${speed}\``);
      engine.sync();
      state.host(host).speed = speed;
      engine.kick();
    },
    setDirtyRate(id, mbps) {
      engine.sync();
      domain(id).dirtyRateMbps = mbps;
      for (const j of engine.jobs()) if (j.req.domainId === id) j.dirtyBps = mbpsToBps(mbps);
      engine.kick();
    },
    moveOutOfBand(id, host) {
      state.host(host);
      state.accountCpu(clock.now());
      domain(id).host = host;
    },
    setDomainState(id, s) {
      state.accountCpu(clock.now());
      domain(id).state = s;
    },
    arm(job) {
      job.stalled = stalled.has(job.req.domainId);
      const a = armed.find((x) => x.left > 0 && x.match(job.req));
      if (!a) return;
      a.left--;
      job.failAtMs = a.spec.afterMs;
      errors.set(job, a.spec);
    },
    errorFor(job) {
      const spec = errors.get(job) ?? { code: 'MIGRATION_FAILED', transient: false };
      Object.assign(records.get(job) ?? {}, { endedAt: clock.now(), outcome: 'failed' });
      return new HypervisorError(
        spec.code,
        `injected failure of the migration of ${job.req.domainId} to ${job.req.to}`,
        spec.transient,
      );
    },
  };
}
