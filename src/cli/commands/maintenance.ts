/**
 * `rebalancer maintenance <start|resume|list|show|done|pause|cancel|end>`: the campaign API from
 * the command line, through the same campaign service and views as the HTTP routes. `start` and
 * `resume` plan on the configured hypervisors' inventory and drive the campaign in the foreground
 * (src/cli/maintenance/run.ts); the other verbs act on the store, so a campaign driven by another
 * process sees the change. `end <host>` ends a host's manual maintenance through the lifecycle,
 * as POST /hosts/:name/maintenance?enabled=false does.
 * Exit status: 0 done (start/resume: the campaign succeeded, or was planned and is feasible);
 * 1 the campaign paused, failed or was cancelled, or is not in a state that allows the action;
 * 2 bad input or not found; 3 start: the campaign is not feasible (stored as planned, not run).
 */
import { systemClock } from '../../../executor/clock.js';
import { createCampaignService, type ActionOutcome, type CampaignService } from '../../maintenance/service.js';
import { lifecycleSteps } from '../../maintenance/steps.js';
import { campaignSummary, campaignView } from '../../maintenance/view.js';
import { campaignTiming } from '../../orchestrate/duration.js';
import { openConfiguredStore } from '../../store/open.js';
import type { CommandIo } from '../io.js';
import { resume, start, startRequest } from '../maintenance/run.js';
import { end } from '../maintenance/end.js';
import { commandArgs, commandConfig, existingStore } from '../setup.js';
import { readingLifecycle } from '../stored.js';

const HELP = `usage: rebalancer maintenance start (--cell C ... | --host H ...) [--max-unavailable N] [--execute]
       rebalancer maintenance resume <campaign id>
       rebalancer maintenance list
       rebalancer maintenance show <campaign id>
       rebalancer maintenance done <campaign id> <host>
       rebalancer maintenance pause|cancel <campaign id>
       rebalancer maintenance end <host>
  (every verb takes [--config FILE] [--format text|json])

Rolling maintenance campaigns, as the HTTP API runs them (POST /maintenance, ...):
  start    plan a campaign over every enabled, up host of the cells (or the hosts), at most N
           hosts of a cell out at once (default 1), from the configured hypervisors' inventory,
           and store it; with --execute run it here until it ends or pauses: each step's hosts
           are drained, handed to maintenance.hostCommand (or wait for "done" from another
           terminal), checked back and released. A campaign that is not feasible is stored as
           planned and not run.
  resume   resume a paused campaign (or start a planned one) and run it here: a failed patch
           command runs again, a failed drain is planned again
  list     the stored campaigns, newest first
  show     one campaign: steps, host states, moves, ETA at the configured executor limits
  done     the operator patched <host> (awaiting its patch, or its patch command failed)
  pause    stop after the running drain; cancel: stop the campaign
  end      end <host>'s manual maintenance (POST /hosts/<host>/maintenance?enabled=false)

Progress is printed to stderr when it is a terminal. Ctrl-C once pauses the campaign (the running
drain finishes), twice stops at once.

options:
  --cell CELL            start: patch every enabled, up host of CELL (repeatable)
  --host HOST            start: patch HOST (repeatable; not with --cell)
  --max-unavailable N    start: most hosts of one cell out at once (default 1)
  --execute              start: run the campaign, not only plan it
  --config FILE          configuration file (hypervisors, store.path, executor limits, maintenance)
  --format FORMAT        text (default) or json (the HTTP API's body)
  -h, --help             this help

Exit status: 0 done (start, resume: the campaign succeeded, or planned and feasible); 1 the
campaign paused, failed or was cancelled, or the action is not allowed in its state; 2 bad input
or not found; 3 start: the campaign is not feasible (stored as planned, not run).
`;

const ARITY: Record<string, number> = {
  start: 0,
  resume: 1,
  list: 0,
  show: 1,
  done: 2,
  pause: 1,
  cancel: 1,
  end: 1,
};

type View = Awaited<ReturnType<typeof campaignView>>;

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

function act(campaigns: CampaignService, verb: string, args: string[]): Promise<ActionOutcome> {
  if (verb === 'done') return campaigns.hostDone(args[0], args[1]);
  return verb === 'pause' ? campaigns.pause(args[0]) : campaigns.cancel(args[0]);
}

interface Values {
  config?: string;
  format?: string;
  help?: boolean;
  cell?: string[];
  host?: string[];
  'max-unavailable'?: string;
  execute?: boolean;
}

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = commandArgs('maintenance', io, HELP, argv, {
    config: { type: 'string' },
    format: { type: 'string' },
    cell: { type: 'string', multiple: true },
    host: { type: 'string', multiple: true },
    'max-unavailable': { type: 'string' },
    execute: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const values: Values = parsed.values;
  const positionals = parsed.positionals;
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
  const startOnly = (['cell', 'host', 'max-unavailable', 'execute'] as const).filter((k) => values[k] !== undefined);
  if (verb !== 'start' && startOnly.length) {
    io.stderr(`rebalancer maintenance ${verb}: --${startOnly[0]} is an option of "start" only\n`);
    return 2;
  }
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'json') {
    io.stderr(`rebalancer maintenance: --format: expected text or json, got "${values.format}"\n`);
    return 2;
  }
  const json = values.format === 'json';
  const config = commandConfig('maintenance', io, { path: values.config });
  if (typeof config === 'number') return config;
  const render = (v: View) => (json ? `${JSON.stringify(v, null, 2)}\n` : viewText(v));
  if (verb === 'start') {
    const request = startRequest({
      hosts: values.host ?? [],
      cells: values.cell ?? [],
      maxUnavailable: values['max-unavailable'],
      execute: values.execute === true,
    });
    if (!request.ok) {
      io.stderr(`rebalancer maintenance start: ${request.message}\n`);
      return 2;
    }
    return start(config, request.value, values.execute === true, io, render);
  }
  if (verb === 'resume') return resume(config, args[0], io, render);
  if (verb === 'end') return end(config, args[0], io, json);
  const at = existingStore('maintenance', io, config, 'no campaign was ever started here');
  if (typeof at === 'number') return at;
  const store = await openConfiguredStore(at);
  const collect = () => Promise.reject(new Error('rebalancer maintenance never collects an inventory'));
  const lifecycle = readingLifecycle(store, config);
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
  const print = (v: View) => io.stdout(render(v));
  try {
    if (verb === 'list') {
      const list = (await campaigns.list()).map(campaignSummary);
      io.stdout(json ? `${JSON.stringify({ campaigns: list }, null, 2)}\n` : listText(list));
      return 0;
    }
    if (verb === 'show') {
      const c = await campaigns.get(args[0]);
      if (!c) {
        io.stderr(`rebalancer maintenance show: no maintenance campaign ${args[0]}\n`);
        return 2;
      }
      print(await campaignView(store, c, systemClock.now(), campaignTiming(config)));
      return 0;
    }
    const outcome = await act(campaigns, verb, args);
    if (!outcome.ok) {
      io.stderr(`rebalancer maintenance ${verb}: ${outcome.message}\n`);
      return outcome.reason === 'not-found' ? 2 : 1;
    }
    print(await campaignView(store, outcome.record, systemClock.now(), campaignTiming(config)));
    return 0;
  } finally {
    await campaigns.stop();
    await store.close();
  }
}
