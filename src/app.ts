/**
 * The service, wired from configuration: the cluster (libvirt hosts or the simulated demo
 * region), the store, the executor behind a background runner, the nightly scheduler, the
 * campaign service and the HTTP app. Execution belongs to the leader (src/ha/): on taking the
 * lease, and at start-up alone on SQLite, it recovers the plans and campaigns a previous process
 * left running, starts queued executions and the nightly schedule; on losing it, it stops all of
 * them at once. Every replica serves reads and accepts plans.
 */
import cron from 'node-cron';
import { systemClock, type Clock } from '../executor/clock.js';
import type { ExecutorOptions } from '../executor/options.js';
import type { ServiceStore } from './store/port.js';
import type { Config } from './config/index.js';
import { createApp, type HttpApp } from './http/app.js';
import { cachedInventorySource } from './inventory/inventory-cache.js';
import { readinessCheck } from './http/readiness.js';
import type { Logger } from './log.js';
import { createNightly, type Nightly, type NightlyBalanceRequest } from './nightly/index.js';
import { executeWithinWindow } from './nightly/execute.js';
import {
  createPlanLifecycle,
  type PlanLifecycle,
  type PlanRequestRecord,
  type PlanFn,
  type Planned,
} from './orchestrate/lifecycle.js';
import { campaignTiming } from './orchestrate/duration.js';
import { createPlanPool } from './orchestrate/plan-pool.js';
import { plannerSettings } from './orchestrate/planning-inputs.js';
import { openSession, type Session } from './orchestrate/session.js';
import type { CampaignService } from './maintenance/service.js';
import { campaignFrozen, campaignServiceFor } from './maintenance/wire.js';
import type { ExecutorMandate } from '../executor/index.js';
import { NotLeaderError, type Leadership, type LeadershipHooks } from './ha/leadership.js';
import { leadershipFor } from './ha/replica.js';
import { storeLocation } from './store/open.js';

export interface Service {
  app: HttpApp;
  session: Session;
  store: ServiceStore;
  lifecycle: PlanLifecycle;
  nightly: Nightly;
  campaigns: CampaignService;
  /** This replica's role among replicas (always leader on SQLite). */
  leadership: Leadership;
  /** Plans resumed after a crash or a take-over (each time this replica became leader). */
  recovered: string[];
  /**
   * Stops the scheduler, waits up to `graceMs` for running plans, then closes everything. Plans
   * still running stay `running` in the store and are resumed by the next start (recover).
   */
  close(graceMs?: number): Promise<void>;
}

export interface ServiceOptions {
  config: Config;
  log: Logger;
  /**
   * Service clock: executor, nightly window, stored timestamps. The cluster's clock, so the
   * executor's timeouts and polling run at the same pace as the migrations (scaled in the demo).
   * Inventory snapshot ages stay on the wall clock (collecting costs real time).
   * @default session.cluster.clock
   */
  clock?: Clock;
  /** Start the nightly cron job. @default config.nightly.enabled */
  nightly?: boolean;
}

/**
 * Executor options from configuration. In the demo, whose clock runs `demo.timeScale` times faster,
 * progress is polled every `pollIntervalMs / timeScale` (at least 50 ms) of the demo's time.
 */
export function executorOptions(config: Config): ExecutorOptions {
  const options = config.executor;
  if (config.hypervisors.length > 0) return options;
  return { ...options, pollIntervalMs: Math.max(50, Math.round(options.pollIntervalMs / config.demo.timeScale)) };
}

/** Nightly's balance as a plan request: planned to fit the window at the executor's global concurrency. */
export function nightlyRequest(req: NightlyBalanceRequest, concurrency: number): PlanRequestRecord {
  const { windowSeconds, ...rest } = req;
  return { goal: 'balance', ...rest, timeBudget: { seconds: windowSeconds, concurrency }, source: 'nightly' };
}

/** A balance request from the nightly settings, through the plan lifecycle like every other plan. */
function nightlyFor(
  config: Config,
  session: Session,
  store: ServiceStore,
  lifecycle: PlanLifecycle,
  clock: Clock,
  log: Logger,
  campaigns: CampaignService,
): Nightly {
  const { concurrency } = executorOptions(config);
  return createNightly({
    cron,
    store,
    clock,
    log: log.child({ component: 'nightly' }),
    config: config.nightly,
    isDrainRunning: () => lifecycle.drainActive(),
    planBalance: async (req) => {
      const inventory = await session.collect();
      const request = nightlyRequest(req, concurrency.global);
      // cells with an active maintenance campaign are left alone
      const frozen = await campaignFrozen(campaigns, inventory);
      if (frozen.length && request.goal === 'balance')
        request.frozenInstances = [...(request.frozenInstances ?? []), ...frozen];
      return lifecycle.plan(inventory, request);
    },
    storePlan: async (planned) => {
      const stored = await lifecycle.save(planned as Planned);
      if (!stored.ok) throw new Error('a balance never claims hosts');
      return stored.record.id;
    },
    // The window end stops new moves: cancel in `wait` mode lets running migrations finish.
    executePlan: executeWithinWindow(lifecycle, clock),
  });
}

/** The plan lifecycle over an open session, with the configuration's settings. */
export function lifecycleFor(
  config: Config,
  session: Session,
  options: {
    clock: Clock;
    log?: Logger;
    store?: ServiceStore;
    planFn?: PlanFn;
    leads?: () => boolean;
    mandate?: ExecutorMandate;
  },
): PlanLifecycle {
  return createPlanLifecycle({
    store: options.store ?? session.store!,
    clock: options.clock,
    settings: {
      planner: plannerSettings(config.planner, executorOptions(config)),
      cooldownHours: config.nightly.cooldownHours,
    },
    collect: session.collect,
    cluster: { hypervisor: session.cluster.hypervisor, hosts: session.cluster.hosts },
    executorOptions: executorOptions(config),
    log: options.log,
    planFn: options.planFn,
    leads: options.leads,
    mandate: options.mandate,
  });
}

export async function createService(options: ServiceOptions): Promise<Service> {
  const { config, log } = options;
  let leadership: Leadership | null = null;
  // replicas: only a replica that holds the lease writes the shared demo world
  const mayWriteWorld = async () =>
    leadership
      ? leadership.assertLeader().then(
          () => true,
          () => false,
        )
      : false;
  const session = await openSession(config, { log, sampleMs: config.inventory.sampleMs, mayWriteWorld });
  const clock = options.clock ?? session.cluster.clock;
  const store = session.store!;
  // Plans are made and verified on worker threads: the event loop stays free for requests.
  const pool = createPlanPool();
  const leads = () => leadership?.role() === 'leader';
  const mandate: ExecutorMandate = { valid: leads, confirm: () => leadership!.assertLeader() };
  const lifecycle = lifecycleFor(config, session, { clock, log, planFn: pool.plan, leads, mandate });
  const inventorySource = cachedInventorySource({
    collect: session.collect,
    clock: options.clock ?? systemClock,
    maxAgeMs: config.inventory.maxAgeSeconds * 1000,
    onError: (err) => log.warn({ err }, 'inventory refresh failed; serving the previous snapshot'),
  });
  const readiness = readinessCheck({
    store,
    inventory: inventorySource,
    clock: options.clock ?? systemClock,
    maxAgeMs: config.inventory.maxAgeSeconds * 1000,
    cluster: session.cluster,
  });
  const campaigns = campaignServiceFor(config, { store, clock, collect: session.collect, lifecycle, log, leads });
  const nightly = nightlyFor(config, session, store, lifecycle, clock, log, campaigns);
  const nightlyOn = options.nightly ?? config.nightly.enabled;
  const recovered: string[] = [];
  const hooks: LeadershipHooks = {
    async onElected() {
      // the demo world shared by replicas: continue from the stored one, then write it
      await session.world?.lead(true);
      // as at a start-up: ask the hypervisors where the VMs of running plans are, then go on
      for (const r of await lifecycle.recover()) {
        recovered.push(r.planId);
        r.done.catch((err: unknown) => log.error({ err, planId: r.planId }, 'recovered plan stopped'));
      }
      await campaigns.recover();
      await lifecycle.startQueued();
      if (nightlyOn) nightly.start();
    },
    async onDemoted(reason) {
      nightly.stop();
      await campaigns.stop();
      await lifecycle.resign(new NotLeaderError(`no longer the leader: ${reason}`));
      await session.world?.lead(false);
    },
    async onPoll(role) {
      // a standby's demo world follows the leader's
      if (role !== 'leader') return session.world?.reload();
      // executions, cancellations and campaign actions asked on other replicas reach us through the store
      await lifecycle.startQueued();
      await campaigns.recover();
    },
  };
  const replica = leadershipFor(config, { url: storeUrl(config), log, hooks });
  leadership = replica.leadership;
  const maintenance = { campaigns, store, clock, timing: campaignTiming(config) };
  const app = createApp({ config, lifecycle, inventorySource, log, clock, readiness, maintenance, leadership });
  await leadership.start();
  const elected = leadership;
  return {
    app,
    session,
    store,
    lifecycle,
    nightly,
    campaigns,
    leadership: elected,
    recovered,
    async close(graceMs = 10_000) {
      nightly.stop();
      await campaigns.stop();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([lifecycle.idle(), grace]);
      clearTimeout(timer);
      // what still runs stops here and stays `running` in the store for the next leader
      await elected.stop();
      await replica.close();
      await pool.close();
      await session.close();
    },
  };
}

/** The PostgreSQL store's URL, or null on SQLite. */
function storeUrl(config: Config): string | null {
  const at = storeLocation(config.store);
  return at.kind === 'postgres' ? at.url : null;
}
