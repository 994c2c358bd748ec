/**
 * Why an instance has nowhere to go: the stable code of the rule that blocked it and a sentence
 * naming that rule, written for the operator reading the plan.
 */
import type { ClusterView, Demand } from './view.js';
import type { UsageState } from './state.js';
import type { BlockCode, Lack } from './check.js';
import { STAGE, checkTarget, describeLack } from './check.js';

export interface Explanation {
  code: BlockCode;
  reason: string;
}

interface Worst {
  code: BlockCode;
  count: number;
  example: string;
  closest: { host: number; lack: Lack } | null;
}

/**
 * Checks every host of the instance's cell and reports the failure that got furthest (see
 * {@link STAGE}): e.g. NO_CAPACITY when at least one compatible host exists but none has room,
 * with the closest host (smallest shortfall) and what it lacks. `subject` names what is being
 * placed when it is more than the instance (an affinity group moving together).
 */
export function explainUnplaced(
  view: ClusterView,
  i: number,
  s: UsageState,
  demand: Demand = view.demands[i],
  subject = `instance ${view.instances[i].name}`,
): Explanation {
  const inst = view.instances[i];
  const cell = view.hosts[view.hostIndex.get(inst.host)!].cell;
  let worst: Worst | null = null;
  for (const h of view.hostsByCell.get(cell) ?? []) {
    const c = checkTarget(view, i, h, s, demand);
    if (c.ok) continue; // fits now: the caller left it out for another reason (e.g. order); report generically
    if (!worst || STAGE[c.code] > STAGE[worst.code])
      worst = { code: c.code, count: 0, example: c.detail, closest: null };
    if (c.code !== worst.code) continue;
    worst.count++;
    if (c.lack && (!worst.closest || c.lack.score < worst.closest.lack.score)) {
      worst.closest = { host: h, lack: c.lack };
      worst.example = c.detail;
    }
  }
  if (!worst) return { code: 'NO_TARGET_IN_CELL', reason: `${subject}: no other host in cell ${cell}` };
  return { code: worst.code, reason: sentence(view, worst, cell, subject) };
}

function sentence(view: ClusterView, w: Worst, cell: string, subject: string): string {
  const more = w.count > 1 ? ` (and ${w.count - 1} more host${w.count > 2 ? 's' : ''} alike)` : '';
  switch (w.code) {
    case 'NO_CAPACITY': {
      const c = w.closest!;
      return (
        `${subject}: no compatible host in cell ${cell} has room; closest host ${view.hosts[c.host].name} lacks ` +
        `${describeLack(c.lack)}`
      );
    }
    case 'NO_TARGET_IN_CELL':
      return `${subject}: no other enabled, up, non-drained host in cell ${cell}: ${w.example}${more}`;
    case 'EXCLUDED':
      return `${subject}: every candidate host in cell ${cell} is excluded: ${w.example}${more}`;
    case 'HYPERVISOR_INCOMPATIBLE':
      return `${subject}: no candidate in cell ${cell} has a compatible hypervisor: ${w.example}${more}`;
    case 'CPU_INCOMPATIBLE':
      return `${subject}: no candidate in cell ${cell} offers the needed CPU model: ${w.example}${more}`;
    case 'SERVER_GROUP':
      return `${subject}: every candidate in cell ${cell} would break its server group: ${w.example}${more}`;
  }
}
