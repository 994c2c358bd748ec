/**
 * `rebalancer maintenance end <host>`: ends a host's manual maintenance through the plan
 * lifecycle (`setMaintenance(host, false)`), as POST /hosts/:name/maintenance?enabled=false does,
 * and prints the same host view. A host whose drain is still running keeps its maintenance.
 */
import type { Config } from '../../config/index.js';
import { hostDetailView } from '../../http/views.js';
import { collectFromConfig } from '../../report/sources.js';
import { openConfiguredStore } from '../../store/open.js';
import type { CommandIo } from '../io.js';
import { hostListText } from '../render/stored-plan-text.js';
import { existingStore } from '../setup.js';
import { readingLifecycle } from '../stored.js';

export async function end(config: Config, name: string, io: CommandIo, json: boolean): Promise<number> {
  const inventory = await collectFromConfig(config, (w) => io.stderr(`warning: ${w.message}\n`));
  const host = inventory.hosts.find((h) => h.name === name);
  if (!host) {
    io.stderr(`rebalancer maintenance end: unknown host "${name}": expected the name of a host in the inventory\n`);
    return 2;
  }
  const at = existingStore('maintenance end', io, config, 'no host was ever put in maintenance here');
  if (typeof at === 'number') return at;
  const store = await openConfiguredStore(at);
  try {
    const lifecycle = readingLifecycle(store, config);
    const done = await lifecycle.setMaintenance(host.name, false);
    if (!done.ok) {
      const why =
        done.reason === 'draining'
          ? `host "${host.name}" is being drained by plan ${done.planId}: cancel it first`
          : `host "${host.name}" is held by another claim`;
      io.stderr(`rebalancer maintenance end: ${why}\n`);
      return 1;
    }
    const view = hostDetailView(host, inventory, await lifecycle.read.listMaintenance());
    if (json) io.stdout(`${JSON.stringify(view, null, 2)}\n`);
    else {
      const said = done.changed ? `maintenance of ${host.name} ended` : `${host.name} was not in maintenance`;
      io.stdout(`${said}\n${hostListText([view])}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
