/**
 * One leader among replicas. A standby tries to acquire the lease (lease.ts) every `pollSeconds`;
 * the leader renews it every `leaseSeconds / 3`. The leader counts itself leader only until the
 * monotonic time at the start of its last successful renewal + `leaseSeconds` − a margin: the
 * database extended the lease after that instant, so the local deadline always comes first,
 * whatever the replicas' wall clocks say. On that deadline, on a failed renewal or on a fencing
 * check that fails, it steps down at once (`onDemoted`: no new migration, campaign step or
 * nightly run starts) and only then stands for election again.
 *
 * `assertLeader` is the fencing check for actions only the leader may take: the local deadline,
 * then the lease row in the database (our token, still valid for the margin).
 *
 * Without a shared database (SQLite, one process) `soleLeadership` is always leader.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { Lease, LeaseTerm } from './lease.js';

export type Role = 'leader' | 'standby';

export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotLeaderError';
  }
}

export interface Leadership {
  /** Whether the lease is shared (PostgreSQL) or this process is the only one (SQLite). */
  readonly shared: boolean;
  role(): Role;
  /** Resolves when this replica holds the lease now (checked in the database); rejects with NotLeaderError. */
  assertLeader(): Promise<void>;
  /** How many times this replica became or stopped being leader. */
  changes(): number;
  /** Starts standing for election; resolves after the first attempt (and the take-over, when elected). */
  start(): Promise<void>;
  /** Steps down (when leader), waits for `onDemoted`, and releases the lease so a standby takes over at once. */
  stop(): Promise<void>;
}

/** What the rest of the service reads of the role (health, readiness, metrics, banner). */
export type RoleView = Pick<Leadership, 'role' | 'changes' | 'shared'>;

export interface LeadershipHooks {
  /** This replica became leader: recover plans and campaigns, start the schedule. */
  onElected(): Promise<void>;
  /** It stopped being leader: stop starting anything. The next election waits for it. */
  onDemoted(reason: string): Promise<void>;
  /** Every poll, in either role (leader: queued requests; standby: reload shared state). */
  onPoll?(role: Role): Promise<void>;
}

export interface LeadershipOptions extends LeadershipHooks {
  lease: Lease;
  leaseSeconds: number;
  pollSeconds: number;
  log?: Logger;
  /** Monotonic milliseconds. @default performance.now */
  monotonic?: () => number;
}

/** Safety margin subtracted from the lease locally and required by the fencing check. */
export const leaseMarginMs = (leaseSeconds: number): number => Math.min(2000, (leaseSeconds * 1000) / 5);

export function createLeadership(o: LeadershipOptions): Leadership {
  const mono = o.monotonic ?? (() => performance.now());
  const leaseMs = o.leaseSeconds * 1000;
  const marginMs = leaseMarginMs(o.leaseSeconds);
  const log = o.log;
  let term: LeaseTerm | null = null;
  let validUntil = 0;
  let changes = 0;
  let stopped = true;
  /** The last election or demotion's hook; the next transition waits for it. */
  let transition: Promise<void> = Promise.resolve();
  let expiry: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling = false;

  const isLeader = () => term !== null && mono() < validUntil;

  const demote = (reason: string) => {
    if (!term) return;
    const was = term;
    term = null;
    changes++;
    clearTimeout(expiry);
    clearTimeout(renewTimer);
    log?.warn({ token: was.token, reason }, 'stepping down: no longer the leader');
    transition = transition.then(() =>
      o.onDemoted(reason).catch((err: unknown) => log?.error({ err }, 'stepping down failed')),
    );
  };

  const extend = (startedAt: number) => {
    validUntil = startedAt + leaseMs - marginMs;
    clearTimeout(expiry);
    expiry = setTimeout(() => demote('the lease expired before it was renewed'), Math.max(0, validUntil - mono()));
  };

  const renew = async () => {
    const current = term;
    if (!current || stopped) return;
    const startedAt = mono();
    let ok = false;
    try {
      ok = await o.lease.renew(current);
    } catch (err) {
      log?.warn({ err }, 'lease renewal failed');
    }
    if (term !== current) return;
    if (!ok) return demote('the lease could not be renewed');
    extend(startedAt);
    renewTimer = setTimeout(renew, leaseMs / 3);
  };

  const tryAcquire = async () => {
    const startedAt = mono();
    let got: LeaseTerm | null = null;
    try {
      got = await o.lease.acquire();
    } catch (err) {
      log?.warn({ err }, 'lease acquisition failed');
    }
    if (!got) return;
    if (stopped) {
      await o.lease.release(got).catch(() => undefined);
      return;
    }
    term = got;
    changes++;
    extend(startedAt);
    log?.info({ token: got.token, holder: got.holder }, 'elected leader');
    renewTimer = setTimeout(renew, leaseMs / 3);
    const elected = got;
    transition = transition.then(async () => {
      if (term !== elected) return;
      await o.onElected().catch((err: unknown) => {
        log?.error({ err }, 'taking over as leader failed');
        demote('taking over failed');
      });
    });
  };

  const poll = async () => {
    if (stopped) return;
    if (!polling) {
      polling = true;
      try {
        // a transition in progress (stepping down, taking over) finishes before the next one
        await transition;
        if (!term && !stopped) await tryAcquire();
        await transition;
        await o.onPoll?.(isLeader() ? 'leader' : 'standby');
      } catch (err) {
        log?.warn({ err }, 'poll failed');
      } finally {
        polling = false;
      }
    }
    if (!stopped) pollTimer = setTimeout(poll, o.pollSeconds * 1000);
  };

  return {
    shared: true,
    role: () => (isLeader() ? 'leader' : 'standby'),
    async assertLeader() {
      const current = term;
      if (!current || !isLeader()) throw new NotLeaderError('this replica does not hold the leader lease');
      let holds = false;
      try {
        holds = await o.lease.holds(current, marginMs);
      } catch (err) {
        demote('the lease could not be checked');
        throw new NotLeaderError('the leader lease could not be checked', { cause: err });
      }
      if (!holds) {
        demote('the lease is held by another term');
        throw new NotLeaderError('the leader lease is held by another term');
      }
    },
    changes: () => changes,
    async start() {
      if (!stopped) return;
      stopped = false;
      await poll();
    },
    async stop() {
      stopped = true;
      clearTimeout(pollTimer);
      const held = term;
      demote('the service is stopping');
      await transition;
      if (held) await o.lease.release(held).catch((err: unknown) => log?.warn({ err }, 'lease release failed'));
    },
  };
}

/** The one process of a service on SQLite: always leader. */
export function soleLeadership(hooks: LeadershipHooks): Leadership {
  let started = false;
  return {
    shared: false,
    role: () => 'leader',
    assertLeader: async () => {},
    changes: () => (started ? 1 : 0),
    async start() {
      if (started) return;
      started = true;
      await hooks.onElected();
    },
    async stop() {
      if (!started) return;
      await hooks.onDemoted('the service is stopping');
    },
  };
}
