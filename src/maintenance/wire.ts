/**
 * The campaign service of a running service, from configuration: the patch command, timeouts,
 * polling, the drain steps over the plan lifecycle; and the rule that nightly balancing leaves cells with
 * an active campaign alone (their instances are frozen for it).
 */
import type { Clock } from '../../executor/clock.js';
import type { Inventory } from '../../planner/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { PlanLifecycle } from '../orchestrate/lifecycle.js';
import { runHostCommand } from './host-command.js';
import { createCampaignService, type CampaignService } from './service.js';
import { lifecycleSteps } from './steps.js';
import type { ServiceStore } from '../store/port.js';

export function campaignServiceFor(
  config: Config,
  deps: {
    store: ServiceStore;
    clock: Clock;
    collect: () => Promise<Inventory>;
    lifecycle: PlanLifecycle;
    log: Logger;
    /** Whether this replica drives campaigns now (it leads). @default always */
    leads?: () => boolean;
  },
): CampaignService {
  const m = config.maintenance;
  const argv = m.hostCommand;
  return createCampaignService({
    store: deps.store,
    clock: deps.clock,
    collect: deps.collect,
    steps: lifecycleSteps(deps.lifecycle),
    hostCommand: argv
      ? (host, campaign) =>
          runHostCommand({ argv, timeoutSeconds: m.hostCommandTimeoutMinutes * 60 }, { host, campaign })
      : undefined,
    settings: { returnTimeoutMinutes: m.returnTimeoutMinutes, pollMs: m.pollSeconds * 1000 },
    log: deps.log.child({ component: 'maintenance' }),
    leads: deps.leads,
  });
}

/** Instances of cells with an active campaign: nightly balancing must not move them. */
export async function campaignFrozen(campaigns: CampaignService, inventory: Inventory): Promise<string[]> {
  const cellOf = new Map(inventory.hosts.map((h) => [h.name, h.cell]));
  const cells = await campaigns.activeCells((h) => cellOf.get(h));
  if (!cells.size) return [];
  return inventory.instances.filter((i) => cells.has(cellOf.get(i.host) ?? '')).map((i) => i.id);
}
