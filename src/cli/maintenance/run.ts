/**
 * `rebalancer maintenance start|resume`: a campaign planned from the inventory of the configured
 * hypervisors (the simulated demo region without any) and, with --execute or resume, driven in the
 * foreground through the campaign service, as `rebalancer drain --execute` runs a drain: the same
 * create and resume calls as POST /maintenance and POST /maintenance/:id/resume, the same view.
 * Progress (the campaign's events) goes to stderr only when it is a terminal. Ctrl-C once pauses
 * the campaign (the running step's drain finishes, nothing else starts); twice stops at once.
 */
import { pino } from 'pino';
import { lifecycleFor } from '../../app.js';
import type { Config } from '../../config/index.js';
import { operations } from '../../http/contract/operations.js';
import { parseParams } from '../../http/params.js';
import { createLogger } from '../../log.js';
import type { CampaignService } from '../../maintenance/service.js';
import { campaignView } from '../../maintenance/view.js';
import { campaignServiceFor } from '../../maintenance/wire.js';
import { campaignTiming } from '../../orchestrate/duration.js';
import type { PlanLifecycle } from '../../orchestrate/lifecycle.js';
import { openSession } from '../../orchestrate/session.js';
import type { ServiceStore } from '../../store/port.js';
import type { CommandIo } from '../io.js';
import { optionIssues } from '../stored.js';
import { refuseSharedExecution } from '../setup.js';

export interface StartOptions {
  hosts: string[];
  cells: string[];
  maxUnavailable?: string;
  execute: boolean;
}

export type View = Awaited<ReturnType<typeof campaignView>>;

/** Exit status of a campaign this process drove: 0 succeeded, 1 paused, failed or cancelled. */
const exitOf = (status: string) => (status === 'succeeded' ? 0 : 1);

/** The create request from the options, checked by the POST /maintenance parameter schema. */
export function startRequest(o: StartOptions) {
  const given: Array<[string, unknown[]]> = [];
  if (o.hosts.length) given.push(['host', o.hosts]);
  if (o.cells.length) given.push(['cell', o.cells]);
  if (o.maxUnavailable !== undefined) given.push(['maxUnavailable', [o.maxUnavailable]]);
  const p = parseParams(given, operations.createCampaign.query);
  if (!p.ok) return { ok: false as const, message: optionIssues(p.issues) };
  return {
    ok: true as const,
    value: { hosts: p.value.host, cells: p.value.cell, maxUnavailable: p.value.maxUnavailable },
  };
}

function eventLine(type: string, d: Record<string, unknown>): string | null {
  const hosts = Array.isArray(d.hosts) ? (d.hosts as string[]).join(', ') : '';
  const step = typeof d.step === 'number' ? `step ${d.step + 1}` : '';
  switch (type) {
    case 'campaign.step_started':
      return `${step} (${hosts}): draining, ${d.moves} moves (plan ${d.planId})`;
    case 'campaign.awaiting_patch':
      return `${step} (${hosts}): empty, handed over for patching`;
    case 'campaign.host_command_started':
      return `${d.host}: patch command started`;
    case 'campaign.host_command_ended':
      return `${d.host}: patch command ${d.ok ? 'succeeded' : `failed (status ${d.code ?? 'none'})`}`;
    case 'campaign.host_patched':
      return `${d.host}: patched (said by the operator)`;
    case 'campaign.host_failed':
      return `${d.host}: failed: ${d.reason}`;
    case 'campaign.host_done':
      return `${d.host}: back in service`;
    case 'campaign.paused':
      return `campaign paused: ${d.reason}`;
    case 'campaign.succeeded':
      return `campaign succeeded (${d.hosts} hosts)`;
    default:
      return null;
  }
}

/** Prints the campaign's new events on a terminal until stopped (one read at a time). */
function follow(store: ServiceStore, id: string, io: CommandIo): () => Promise<void> {
  if (!io.stderrIsTty) return async () => {};
  let after = 0;
  let reading: Promise<void> | null = null;
  const read = async () => {
    for (const e of await store.listEvents({ planId: id, afterId: after })) {
      after = e.id;
      const line = eventLine(e.type, (e.data ?? {}) as Record<string, unknown>);
      if (line) io.stderr(`${new Date(e.at).toISOString()} ${line}\n`);
    }
  };
  const tick = () =>
    (reading ??= read().finally(() => {
      reading = null;
    }));
  // a failed read shows nothing new; the next tick reads again
  const timer = setInterval(() => tick().catch(() => undefined), 500);
  return async () => {
    clearInterval(timer);
    await reading?.catch(() => undefined);
    await tick();
  };
}

/** First Ctrl-C: pause (the running drain finishes); second: stop driving and abort the drain's migrations. */
function onInterrupt(parts: Parts, id: string, io: CommandIo): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) {
      io.stderr('rebalancer maintenance: pausing the campaign (the running drain finishes; Ctrl-C again stops now)\n');
      // a pause or cancel that fails (store unavailable) changes nothing; Ctrl-C again stops
      parts.campaigns.pause(id).catch(() => undefined);
    } else {
      void parts.campaigns.stop();
      for (const planId of parts.lifecycle.running()) parts.lifecycle.cancel(planId, 'abort').catch(() => undefined);
    }
  };
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}

interface Parts {
  campaigns: CampaignService;
  lifecycle: PlanLifecycle;
  store: ServiceStore;
}

/**
 * Opens the service's parts (store, cluster, lifecycle, campaign service) for one verb and closes
 * them after; `fn` returns the exit status.
 */
async function withCampaigns(config: Config, io: CommandIo, fn: (parts: Parts) => Promise<number>): Promise<number> {
  const log = createLogger({ level: process.env.REBALANCER_LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
  if (config.hypervisors.length === 0)
    io.stderr('rebalancer maintenance: no hypervisors configured: working on the simulated demo region\n');
  const session = await openSession(config, {
    log,
    store: 'create',
    onWarning: (w) => io.stderr(`warning: ${w.message}\n`),
  });
  try {
    const store = session.store!;
    const clock = session.cluster.clock;
    const lifecycle = lifecycleFor(config, session, { clock, log, store });
    const campaigns = campaignServiceFor(config, { store, clock, collect: session.collect, lifecycle, log });
    try {
      return await fn({ campaigns, lifecycle, store });
    } finally {
      await campaigns.stop();
      await lifecycle.idle();
    }
  } finally {
    await session.close();
  }
}

async function drive(parts: Parts, id: string, io: CommandIo): Promise<string> {
  const { campaigns, store } = parts;
  const stopFollowing = follow(store, id, io);
  const stopInterrupt = onInterrupt(parts, id, io);
  try {
    await campaigns.idle();
  } finally {
    stopInterrupt();
    await stopFollowing();
  }
  return (await campaigns.get(id))?.status ?? 'failed';
}

/**
 * `start`: plans the campaign and stores it; with `execute`, runs it to its end. A campaign that
 * is not feasible is stored as planned and not run (exit 3; `resume` runs it anyway).
 */
export async function start(
  config: Config,
  request: { hosts?: string[]; cells?: string[]; maxUnavailable?: number },
  execute: boolean,
  io: CommandIo,
  render: (v: View) => string,
): Promise<number> {
  const shared = execute ? refuseSharedExecution('maintenance start --execute', io, config) : null;
  if (shared !== null) return shared;
  return withCampaigns(config, io, async (parts) => {
    const { campaigns, store } = parts;
    const print = (t: string) => io.stdout(t);
    const plannedOnly = await campaigns.create({ ...request, source: 'cli' }, false);
    if (!plannedOnly.ok) {
      io.stderr(
        `rebalancer maintenance start: ${plannedOnly.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}\n`,
      );
      return 2;
    }
    const record = plannedOnly.record;
    const view = async () => campaignView(store, (await campaigns.get(record.id))!, Date.now(), campaignTiming(config));
    if (!record.forecast.feasible || !execute) {
      print(render(await view()));
      if (!record.forecast.feasible && execute)
        io.stderr(
          `rebalancer maintenance start: campaign ${record.id} is not feasible; stored as planned, nothing was ` +
            `executed ("rebalancer maintenance resume ${record.id}" runs it anyway)\n`,
        );
      return record.forecast.feasible ? 0 : 3;
    }
    const started = await campaigns.resume(record.id);
    if (!started.ok) {
      io.stderr(`rebalancer maintenance start: ${started.message}\n`);
      return 1;
    }
    io.stderr(`rebalancer maintenance: running campaign ${record.id} (${record.forecast.steps.length} steps)\n`);
    const status = await drive(parts, record.id, io);
    print(render(await view()));
    return exitOf(status);
  });
}

/** `resume`: resumes a paused campaign (or starts a planned one) and runs it to its end here. */
export async function resume(config: Config, id: string, io: CommandIo, render: (v: View) => string): Promise<number> {
  const shared = refuseSharedExecution('maintenance resume', io, config);
  if (shared !== null) return shared;
  return withCampaigns(config, io, async (parts) => {
    const { campaigns, store } = parts;
    const outcome = await campaigns.resume(id);
    if (!outcome.ok) {
      io.stderr(`rebalancer maintenance resume: ${outcome.message}\n`);
      return outcome.reason === 'not-found' ? 2 : 1;
    }
    io.stderr(`rebalancer maintenance: running campaign ${id}\n`);
    const status = await drive(parts, id, io);
    io.stdout(render(await campaignView(store, (await campaigns.get(id))!, Date.now(), campaignTiming(config))));
    return exitOf(status);
  });
}
