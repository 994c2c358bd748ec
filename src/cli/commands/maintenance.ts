/**
 * `rebalancer maintenance <list|show|done|pause|cancel>`: the campaign API's reads and operator
 * actions from the command line, through the same campaign service and view as the HTTP routes.
 * A campaign driven by another process (the service) sees the change through the store.
 * Exit status: 0 done; 1 the campaign is not in a state that allows the action; 2 bad input or not found.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../../../executor/clock.js';
import { createCampaignService, type ActionOutcome, type CampaignService } from '../../maintenance/service.js';
import { lifecycleSteps } from '../../maintenance/steps.js';
import { campaignSummary, campaignView } from '../../maintenance/view.js';
import { campaignTiming } from '../../orchestrate/duration.js';
import { createPlanLifecycle } from '../../orchestrate/lifecycle.js';
import { openStore } from '../../store/sqlite.js';
import type { CommandIo } from '../io.js';
import { commandConfig, existingStorePath } from '../setup.js';

const HELP = `usage: rebalancer maintenance list [--config FILE] [--format text|json]
       rebalancer maintenance show <campaign id> [--config FILE] [--format text|json]
       rebalancer maintenance done <campaign id> <host> [--config FILE] [--format text|json]
       rebalancer maintenance pause|cancel <campaign id> [--config FILE] [--format text|json]

Maintenance campaigns kept in the store (started through POST /maintenance): list them, show one
(steps, host states, moves, ETA), say a host awaiting its patch is patched, pause or cancel a campaign.

options:
  --config FILE    configuration file (store.path; executor limits and maintenance.patchMinutes for the ETA)
  --format FORMAT  text (default) or json (the HTTP API's body)
  -h, --help       this help
`;

const ARITY: Record<string, number> = { list: 0, show: 1, done: 2, pause: 1, cancel: 1 };

type View = ReturnType<typeof campaignView>;

function viewText(v: View): string {
  const lines = [`campaign ${v.id}: ${v.status}${v.reason ? ` (${v.reason})` : ''}`];
  if (v.eta) lines.push(`  eta ${v.eta.at} (${v.eta.seconds} s)`);
  for (const s of v.steps) {
    const hosts = s.hosts.map((h) => `${h.host} ${h.state}${h.reason ? ` (${h.reason})` : ''}`).join(', ');
    lines.push(`  step ${s.index + 1}: ${hosts}; ${s.moves.length} moves, ${s.gibToCopy} GiB`);
  }
  return `${lines.join('\n')}\n`;
}

function listText(records: ReturnType<typeof campaignSummary>[]): string {
  if (!records.length) return 'no maintenance campaigns\n';
  return `${records
    .map((c) => `${c.id}  ${c.status.padEnd(9)} ${c.steps} steps  ${c.hosts.length} hosts  ${c.createdAt}`)
    .join('\n')}\n`;
}

function act(campaigns: CampaignService, verb: string, args: string[]): ActionOutcome {
  if (verb === 'done') return campaigns.hostDone(args[0], args[1]);
  return verb === 'pause' ? campaigns.pause(args[0]) : campaigns.cancel(args[0]);
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let values: { config?: string; format?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    }));
  } catch (err) {
    io.stderr(`rebalancer maintenance: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const [verb, ...args] = positionals;
  if (!verb || !(verb in ARITY)) {
    io.stderr(
      `rebalancer maintenance: expected one of ${Object.keys(ARITY).join(', ')}, got "${verb ?? ''}"\n\n${HELP}`,
    );
    return 2;
  }
  if (args.length !== ARITY[verb]) {
    io.stderr(`rebalancer maintenance ${verb}: expected ${ARITY[verb]} arguments, got ${args.length}\n\n${HELP}`);
    return 2;
  }
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'json') {
    io.stderr(`rebalancer maintenance: --format: expected text or json, got "${values.format}"\n`);
    return 2;
  }
  const json = values.format === 'json';
  const config = commandConfig('maintenance', io, { path: values.config });
  if (typeof config === 'number') return config;
  const path = existingStorePath('maintenance', io, config, 'no campaign was ever started here');
  if (typeof path === 'number') return path;
  const store = openStore(path);
  const collect = () => Promise.reject(new Error('rebalancer maintenance never collects an inventory'));
  const lifecycle = createPlanLifecycle({
    store,
    clock: systemClock,
    settings: { planner: config.planner, cooldownHours: config.nightly.cooldownHours },
    collect,
  });
  const campaigns = createCampaignService({
    store,
    clock: systemClock,
    collect,
    steps: lifecycleSteps(lifecycle),
    settings: {
      returnTimeoutMinutes: config.maintenance.returnTimeoutMinutes,
      pollMs: config.maintenance.pollSeconds * 1000,
    },
  });
  const print = (v: View) => io.stdout(json ? `${JSON.stringify(v, null, 2)}\n` : viewText(v));
  try {
    if (verb === 'list') {
      const list = campaigns.list().map(campaignSummary);
      io.stdout(json ? `${JSON.stringify({ campaigns: list }, null, 2)}\n` : listText(list));
      return 0;
    }
    if (verb === 'show') {
      const c = campaigns.get(args[0]);
      if (!c) {
        io.stderr(`rebalancer maintenance show: no maintenance campaign ${args[0]}\n`);
        return 2;
      }
      print(campaignView(store, c, systemClock.now(), campaignTiming(config)));
      return 0;
    }
    const outcome = act(campaigns, verb, args);
    if (!outcome.ok) {
      io.stderr(`rebalancer maintenance ${verb}: ${outcome.message}\n`);
      return outcome.reason === 'not-found' ? 2 : 1;
    }
    print(campaignView(store, outcome.record, systemClock.now(), campaignTiming(config)));
    return 0;
  } finally {
    await campaigns.stop();
    store.close();
  }
}
