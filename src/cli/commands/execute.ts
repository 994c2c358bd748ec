/**
 * `rebalancer execute <plan id> [--config FILE] [--format text|json]`: runs a stored plan, or resumes it
 * when a previous process stopped while running it. Always calls the executor's recover()
 * first, so moves left in flight by a crash are reconciled with where the VMs really are.
 * Exit status: 0 the plan (or its final re-plan) succeeded; 1 it failed or was cancelled;
 * 2 bad input (unknown id, plan not runnable, invalid configuration); 3 the plan no longer
 * fits the inventory (re-plan first).
 */
import { pino } from 'pino';
import type { ExecutionResult } from '../../../executor/index.js';
import { lifecycleFor } from '../../app.js';
import { createLogger } from '../../log.js';
import type { PlanLifecycle } from '../../orchestrate/lifecycle.js';
import { openSession, type Session } from '../../orchestrate/session.js';
import { watchPlan } from '../drain/watch.js';
import type { CommandIo } from '../io.js';
import { BAD_INPUT, commandArgs, commandConfig, existingStore, refuseSharedExecution } from '../setup.js';

const HELP = `usage: rebalancer execute <plan id> [--config FILE] [--format text|json]

Runs a stored plan (status "planned") after checking it still fits the current inventory, or
resumes a plan left running by a stopped process. Progress goes to stderr (a live line on a
terminal); the outcome to stdout. Ctrl-C once: no new migration starts; twice: abort running ones.

options:
  --config FILE   configuration file (hypervisors, store.path, executor options)
  --format FORMAT text (default) or json: how the outcome is printed
  --json          the same as --format json (deprecated)
  -h, --help      this help
`;

interface Args {
  id: string;
  config?: string;
  json: boolean;
}

function parse(argv: string[], io: CommandIo): Args | number {
  const args = commandArgs('execute', io, HELP, argv, {
    config: { type: 'string' },
    format: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  if (positionals.length !== 1) {
    io.stderr(`rebalancer execute: expected one plan id, got ${positionals.length}\n\n${HELP}`);
    return BAD_INPUT;
  }
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'json') {
    io.stderr(`rebalancer execute: --format: expected text or json, got "${values.format}"\n`);
    return BAD_INPUT;
  }
  if (values.json) io.stderr('rebalancer execute: --json is deprecated: use --format json\n');
  return { id: positionals[0], config: values.config, json: values.json === true || values.format === 'json' };
}

/** First Ctrl-C: stop starting migrations; second: abort the ones running. */
function onInterrupt(o: PlanLifecycle, id: () => string): () => void {
  let count = 0;
  // a cancel that fails (store unavailable) changes nothing; pressing Ctrl-C again retries
  const handler = () => void o.cancel(id(), ++count === 1 ? 'wait' : 'abort').catch(() => undefined);
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}

async function start(
  session: Session,
  o: PlanLifecycle,
  id: string,
  io: CommandIo,
): Promise<{ done: Promise<ExecutionResult> } | number> {
  const recovered = await o.recover();
  const resumed = recovered.find((r) => r.planId === id);
  for (const r of recovered.filter((x) => x !== resumed))
    io.stderr(`rebalancer execute: also resuming plan ${r.planId} left running\n`);
  if (resumed) {
    io.stderr(`rebalancer execute: resuming plan ${id} left running by a stopped process\n`);
    return { done: resumed.done };
  }
  const record = await o.read.getPlan(id);
  if (!record) {
    io.stderr(`rebalancer execute: no plan with id "${id}"\n`);
    return 2;
  }
  if (record.status !== 'planned') {
    io.stderr(`rebalancer execute: plan ${id} is ${record.status}: expected a plan in status "planned"\n`);
    return 2;
  }
  const check = await o.reverify(record, await session.collect());
  if (!check.ok && check.reason === 'stale') {
    io.stderr(
      `rebalancer execute: the inventory changed since plan ${id} was computed; plan again:\n` +
        `${check.violations.map((v) => `  ${v.code}: ${v.message}`).join('\n')}\n`,
    );
    return 3;
  }
  if (!check.ok) {
    const held = check.heldBy[0];
    io.stderr(`rebalancer execute: host "${held.host}" is in maintenance for plan ${held.planId}\n`);
    return 2;
  }
  return { done: o.execute(id) };
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, io);
  if (typeof args === 'number') return args;
  const config = commandConfig('execute', io, { path: args.config });
  if (typeof config === 'number') return config;
  const shared = refuseSharedExecution('execute', io, config);
  if (shared !== null) return shared;
  const at = existingStore('execute', io, config, 'nothing was ever planned here');
  if (typeof at === 'number') return at;
  const log = createLogger({ level: process.env.REBALANCER_LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
  const session = await openSession(config, { log, store: 'existing', demoWorld: 'write' });
  const o = lifecycleFor(config, session, { clock: session.cluster.clock, log });
  const stopInterrupt = onInterrupt(o, () => args.id);
  try {
    const running = await start(session, o, args.id, io);
    if (typeof running === 'number') return running;
    const watcher = watchPlan(session.store!, args.id, io);
    const result = await running.done.finally(() => watcher.stop());
    io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : `plan ${result.finalPlanId}: ${result.status}\n`);
    return result.status === 'succeeded' ? 0 : 1;
  } finally {
    stopInterrupt();
    await session.close();
  }
}
