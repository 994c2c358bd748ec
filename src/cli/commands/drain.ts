/**
 * `rebalancer drain`: collects the inventory from the configured hypervisors, plans emptying
 * the given hosts and prints the plan; with --execute stores it (the hosts go into maintenance),
 * runs it with re-planning after failures and prints every move's outcome. Ctrl-C once stops
 * starting migrations, twice aborts the running ones.
 * Exit status: 0 complete plan (executed: every move of the final plan succeeded); 1 execution
 * failed or a drained host is unreachable; 2 bad input; 3 plan not feasible (not executed).
 */
import { pino } from 'pino';
import { lifecycleFor } from '../../app.js';
import { validateRequest, type Inventory, type Plan } from '../../../planner/index.js';
import type { Config } from '../../config/index.js';
import { createLogger, type Logger } from '../../log.js';
import type { PlanLifecycle } from '../../orchestrate/lifecycle.js';
import { openSession, type Session } from '../../orchestrate/session.js';
import { openStore } from '../../store/sqlite.js';
import { parseDrainArgs, type DrainArgs } from '../drain/args.js';
import { drainReport, reportText } from '../drain/render.js';
import { watchPlan } from '../drain/watch.js';
import type { CommandIo } from '../io.js';
import { commandConfig, refuseSharedExecution } from '../setup.js';
import { executionLimits } from '../../orchestrate/duration.js';
import { renderPlanText } from '../render/plan-text.js';

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = parseDrainArgs(argv, io);
  if (typeof args === 'number') return args;
  const config = commandConfig('drain', io, { path: args.config });
  if (typeof config === 'number') return config;
  const shared = args.execute ? refuseSharedExecution('drain --execute', io, config) : null;
  if (shared !== null) return shared;
  const log = createLogger({ level: process.env.REBALANCER_LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
  if (config.hypervisors.length === 0)
    io.stderr('rebalancer drain: no hypervisors configured: working on the simulated demo region\n');
  const session = await openSession(config, {
    log,
    sampleMs: args.sampleMs,
    store: args.execute ? 'create' : 'existing',
    onWarning: (w) => io.stderr(`warning: ${w.message}\n`),
  });
  try {
    return await drain(session, config, args, io, log);
  } finally {
    await session.close();
  }
}

async function drain(session: Session, config: Config, args: DrainArgs, io: CommandIo, log: Logger): Promise<number> {
  const inventory = await session.collect();
  const problem = checkRequest(inventory, args.hosts);
  if (problem) {
    io.stderr(`rebalancer drain: ${problem.message}\n`);
    return problem.exit;
  }
  // Plan only without a store file: an empty throwaway store (nothing is in maintenance).
  const store = session.store ?? openStore(':memory:');
  const lifecycle = lifecycleFor(config, session, { clock: session.cluster.clock, log, store });
  const planned = await lifecycle.plan(inventory, { goal: 'drain', hosts: args.hosts, source: 'cli' });
  const plan = planned.plan;
  if (!args.execute || !plan.feasible) {
    printPlan(io, args, inventory, plan, config);
    if (args.execute) io.stderr('rebalancer drain: the plan is not feasible; nothing was executed\n');
    return plan.feasible ? 0 : 3;
  }
  const stored = await lifecycle.save(planned);
  if (!stored.ok) {
    const h = stored.heldBy[0];
    io.stderr(`rebalancer drain: host "${h.host}" is being drained by plan ${h.planId}, which has not ended\n`);
    return 2;
  }
  const planId = stored.record.id;
  if (args.format === 'text')
    io.stdout(`plan ${planId}\n${renderPlanText(inventory, plan, executionLimits(config))}\n`);
  else io.stderr(`rebalancer drain: executing plan ${planId} (${plan.moves.length} moves)\n`);
  const watcher = watchPlan(session.store!, planId, io);
  const stopInterrupt = onInterrupt(lifecycle, planId);
  let status: string;
  try {
    status = (await lifecycle.execute(planId)).status;
  } finally {
    stopInterrupt();
    await watcher.stop();
  }
  const report = await drainReport(session.store!, planId);
  io.stdout(args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return status === 'succeeded' ? 0 : 1;
}

/** First Ctrl-C: no new migration starts; second: running migrations are aborted (VMs stay put). */
function onInterrupt(lifecycle: PlanLifecycle, planId: string): () => void {
  let count = 0;
  // a cancel that fails (store unavailable) changes nothing; pressing Ctrl-C again retries
  const handler = () => void lifecycle.cancel(planId, ++count === 1 ? 'wait' : 'abort').catch(() => undefined);
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}

/** Unknown hosts are bad input (2); a drained host that cannot be reached cannot be drained (1). */
function checkRequest(inventory: Inventory, hosts: string[]): { message: string; exit: number } | null {
  const issues = validateRequest(inventory, { goal: 'drain', hosts });
  if (issues.length) return { message: issues.map((i) => `${i.path}: ${i.message}`).join('\n'), exit: 2 };
  const down = inventory.hosts.filter((h) => hosts.includes(h.name) && h.state === 'down');
  if (down.length)
    return {
      message:
        `cannot drain unreachable host(s) ${down.map((h) => h.name).join(', ')}: live migration needs the ` +
        `source host`,
      exit: 1,
    };
  return null;
}

function printPlan(io: CommandIo, args: DrainArgs, inventory: Inventory, plan: Plan, config: Config): void {
  io.stdout(
    args.format === 'json'
      ? `${JSON.stringify(plan, null, 2)}\n`
      : renderPlanText(inventory, plan, executionLimits(config)),
  );
}
