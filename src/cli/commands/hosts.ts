/**
 * `rebalancer hosts list`: GET /hosts from the command line: the inventory (collected from the
 * configured hypervisors, or read from a file) with utilisation and the maintenance kept in the
 * service's store, through the same view and the same parameter schema as the route.
 * Exit status: 0 printed; 2 bad input (nothing is printed).
 */
import type { Inventory } from '../../../planner/index.js';
import { operations } from '../../http/contract/operations.js';
import { parseParams } from '../../http/params.js';
import { hostListView } from '../../http/views.js';
import { collectFromConfig, readInventory, storeForReading } from '../../report/sources.js';
import type { CommandIo } from '../io.js';
import { hostListText } from '../render/stored-plan-text.js';
import { BAD_INPUT, commandArgs, commandConfig, usageError } from '../setup.js';
import { optionIssues, parseFormat, readingLifecycle } from '../stored.js';

const HELP = `usage: rebalancer hosts list [--cell CELL] [--inventory FILE] [--config FILE] [--format text|json]

The hosts with their allocation, measured CPU use and maintenance, as GET /hosts answers. The
inventory is collected from the configured hypervisors (the simulated demo region when none is
configured) unless --inventory gives a snapshot; maintenance comes from the service's store.

options:
  --cell CELL       only the hosts of this cell
  --inventory FILE  inventory snapshot (JSON, the planner's inventory format) instead of collecting
  --config FILE     service configuration (default: REBALANCER_CONFIG, else the embedded default)
  --format FORMAT   text (default) or json (the HTTP API's body)
  -h, --help        this help

Exit status: 0 printed, 2 bad input (nothing is printed).
`;

const fail = (io: CommandIo, message: string) => usageError('hosts', io, message);

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = commandArgs(
    'hosts',
    io,
    HELP,
    argv,
    { config: { type: 'string' }, format: { type: 'string' }, cell: { type: 'string' }, inventory: { type: 'string' } },
    (err) => fail(io, err.message),
  );
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  if (positionals[0] !== 'list' || positionals.length > 1)
    return fail(io, `expected list, got "${positionals.join(' ')}"`);
  const format = parseFormat(values.format);
  if (!format.ok) return fail(io, format.message);
  const query = parseParams(values.cell !== undefined ? [['cell', [values.cell]]] : [], operations.listHosts.query);
  if (!query.ok) return fail(io, optionIssues(query.issues));
  const config = commandConfig('hosts', io, { path: values.config });
  if (config === BAD_INPUT) return BAD_INPUT;
  let inventory: Inventory;
  if (values.inventory) {
    const file = await readInventory(values.inventory);
    if (!file.ok) return fail(io, file.message);
    inventory = file.value;
  } else {
    inventory = await collectFromConfig(config, (w) => io.stderr(`warning: ${w.message}\n`));
  }
  // no store yet: no host is in maintenance (none is created)
  const store = await storeForReading(config);
  const lifecycle = readingLifecycle(store, config);
  try {
    const hosts = hostListView(inventory, await lifecycle.read.listMaintenance(), query.value.cell);
    io.stdout(format.value === 'json' ? `${JSON.stringify({ hosts }, null, 2)}\n` : hostListText(hosts));
    return 0;
  } finally {
    await store.close();
  }
}
