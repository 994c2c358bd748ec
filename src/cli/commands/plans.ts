/**
 * `rebalancer plans list|show`: GET /plans and GET /plans/:id from the command line, with the same
 * parameter schema, the same views and the same paging, through the plan lifecycle over the
 * service's store file.
 * Exit status: 0 printed; 2 bad input, unknown plan or cursor, or no store (nothing is printed).
 */
import { operations } from '../../http/contract/operations.js';
import { parseParams } from '../../http/params.js';
import { planPage, planView } from '../../http/views.js';
import type { CommandIo } from '../io.js';
import { planListText, planViewText } from '../render/stored-plan-text.js';
import { openConfiguredStore } from '../../store/open.js';
import { BAD_INPUT, commandArgs, commandConfig, existingStore, usageError } from '../setup.js';
import { optionIssues, parseFormat, readingLifecycle } from '../stored.js';

const HELP = `usage: rebalancer plans list [--status STATUS]... [--limit N] [--after ID]
                              [--config FILE] [--format text|json]
       rebalancer plans show <plan id> [--config FILE] [--format text|json]

The plans kept in the service's store (store.path), as GET /plans and GET /plans/:id answer.

  list             plans, newest first, a page at a time (the last line names the next page's cursor)
  show <id>        one plan: status, each move's state and progress, the ETA, the goal's outcome

options:
  --status STATUS  list only plans in this status (repeatable): planned, running, cancelling,
                   succeeded, failed, cancelled, superseded
  --limit N        plans in a page, 1..1000 (default 100)
  --after ID       the page after this plan: the "next" of the previous page
  --config FILE    service configuration (default: REBALANCER_CONFIG, else the embedded default)
  --format FORMAT  text (default) or json (the HTTP API's body)
  -h, --help       this help

Exit status: 0 printed, 2 bad input, unknown plan or cursor, or no store (nothing is printed).
`;

const fail = (io: CommandIo, message: string) => usageError('plans', io, message);

const OPTIONS = {
  config: { type: 'string' },
  format: { type: 'string' },
  status: { type: 'string', multiple: true },
  limit: { type: 'string' },
  after: { type: 'string' },
} as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const parsed = commandArgs('plans', io, HELP, argv, OPTIONS, (err) => fail(io, err.message));
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [verb, ...args] = positionals;
  if (verb !== 'list' && verb !== 'show') return fail(io, `expected list or show, got "${verb ?? ''}"`);
  if (verb === 'list' && args.length) return fail(io, `list takes no arguments, got "${args.join(' ')}"`);
  if (verb === 'show' && args.length !== 1) return fail(io, `show takes one plan id, got ${args.length} arguments`);
  const paging = values.status !== undefined || values.limit !== undefined || values.after !== undefined;
  if (verb === 'show' && paging) return fail(io, '--status, --limit and --after are options of "plans list"');
  const format = parseFormat(values.format);
  if (!format.ok) return fail(io, format.message);
  // the options of `list` are GET /plans's parameters, checked by the same schema
  const given: Array<[string, unknown[]]> = [];
  if (values.status) given.push(['status', values.status]);
  if (values.limit !== undefined) given.push(['limit', [values.limit]]);
  if (values.after !== undefined) given.push(['after', [values.after]]);
  const query = parseParams(given, operations.listPlans.query);
  if (!query.ok) return fail(io, optionIssues(query.issues));
  const config = commandConfig('plans', io, { path: values.config });
  if (config === BAD_INPUT) return BAD_INPUT;
  const at = existingStore('plans', io, config, 'no plan was ever stored here');
  if (at === BAD_INPUT) return BAD_INPUT;
  const store = await openConfiguredStore(at);
  const lifecycle = readingLifecycle(store, config);
  const json = format.value === 'json';
  try {
    if (verb === 'list') {
      const page = await planPage(lifecycle.read, query.value);
      if (!page.ok)
        return fail(io, `--after: unknown cursor "${page.unknownCursor}": pass the "next" value of the previous page`);
      io.stdout(json ? `${JSON.stringify(page.view, null, 2)}\n` : planListText(page.view));
      return 0;
    }
    const id = args[0];
    const record = await lifecycle.read.getPlan(id);
    if (!record) return fail(io, `no plan with id "${id}"`);
    const view = planView(record, await lifecycle.read.listMoves(id));
    io.stdout(json ? `${JSON.stringify(view, null, 2)}\n` : planViewText(view));
    return 0;
  } finally {
    await store.close();
  }
}
