/**
 * Mutation properties: take plans the planner produced for random inventories, break one rule
 * (in the plan, or in the world the plan is checked against) and require the verifier to reject
 * the result with that rule's code. Together with the property tests (every real plan accepted)
 * this shows the verifier is neither too lax nor too strict.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan, verifyPlan, type Inventory, type Plan, type PlannerOptions } from '../../planner/index.js';
import { inventoryAndHostArb, inventoryArb } from './support/arbitrary.js';

interface Mutant {
  inv: Inventory;
  plan: Plan;
  options?: PlannerOptions;
  code: string;
}
type Mutation = (inv: Inventory, p: Plan, k: number) => Mutant | null;

const clone = <T>(x: T): T => structuredClone(x);
const hostOf = (inv: Inventory, name: string) => inv.hosts.find((h) => h.name === name)!;
function withMove(p: Plan, k: number, change: Partial<Plan['moves'][number]>): Plan {
  return { ...p, moves: p.moves.map((m, i) => (i === k ? { ...m, ...change } : m)) };
}

const mutations: Record<string, Mutation> = {
  'destination in another cell': (inv, p, k) => {
    const m = p.moves[k];
    const other = inv.hosts.find((h) => h.cell !== hostOf(inv, m.from).cell);
    return other ? { inv, plan: withMove(p, k, { to: other.name }), code: 'CELL' } : null;
  },
  'destination without room': (inv, p, k) => {
    const w = clone(inv);
    const h = hostOf(w, p.moves[k].to);
    // No usable memory left: any arrival overflows (or worsens an existing overload).
    h.memoryMb = h.reservedMemoryMb;
    return { inv: w, plan: p, code: 'CAPACITY' };
  },
  'move duplicated in its wave': (inv, p, k) => ({
    inv,
    plan: { ...p, moves: [...p.moves, p.moves[k]] },
    code: 'DUPLICATE_IN_WAVE',
  }),
  'destination is the source': (inv, p, k) => ({
    inv,
    plan: withMove(p, k, { to: p.moves[k].from }),
    code: 'SAME_HOST',
  }),
  'waves start at 1': (inv, p) => ({
    inv,
    plan: { ...p, moves: p.moves.map((m) => ({ ...m, wave: m.wave + 1 })) },
    code: 'WAVE_GAP',
  }),
  'timeout doubled': (inv, p, k) => ({
    inv,
    plan: withMove(p, k, { timeoutSeconds: p.moves[k].timeoutSeconds * 2 + 1 }),
    code: 'TIMEOUT',
  }),
  'wrong mode': (inv, p, k) => ({
    inv,
    plan: withMove(p, k, { mode: p.moves[k].mode === 'cold' ? 'live' : 'cold' }),
    code: 'MODE',
  }),
  'wrong source': (inv, p, k) => ({ inv, plan: withMove(p, k, { from: p.moves[k].to }), code: 'FROM_MISMATCH' }),
  'metrics miscount': (inv, p) => ({
    inv,
    plan: { ...p, metrics: { ...p.metrics, moves: p.moves.length + 1 } },
    code: 'METRICS_MOVES',
  }),
  'destination disabled': (inv, p, k) => {
    const w = clone(inv);
    hostOf(w, p.moves[k].to).enabled = false;
    return { inv: w, plan: p, code: 'TARGET_DISABLED' };
  },
  'destination down': (inv, p, k) => {
    const w = clone(inv);
    hostOf(w, p.moves[k].to).state = 'down';
    return { inv: w, plan: p, code: 'TARGET_DOWN' };
  },
  'destination avoided': (inv, p, k) => ({
    inv,
    plan: p,
    options: { avoidHosts: [p.moves[k].to] },
    code: 'TARGET_AVOIDED',
  }),
  'placement excluded': (inv, p, k) => ({
    inv,
    plan: p,
    options: { exclusions: [{ instance: p.moves[k].instance, host: p.moves[k].to }] },
    code: 'EXCLUDED',
  }),
  'instance pinned': (inv, p, k) => {
    const w = clone(inv);
    w.instances.find((i) => i.id === p.moves[k].instance)!.pinned = true;
    return { inv: w, plan: p, code: 'PINNED' };
  },
  'destination hypervisor older': (inv, p, k) => {
    const w = clone(inv);
    hostOf(w, p.moves[k].to).hypervisorVersion = hostOf(w, p.moves[k].from).hypervisorVersion - 1;
    return { inv: w, plan: p, code: 'HYPERVISOR_VERSION' };
  },
  'destination lacks the CPU model': (inv, p, k) => {
    const w = clone(inv);
    hostOf(w, p.moves[k].to).compatibleCpuModels = ['NoSuchModel'];
    return { inv: w, plan: p, code: 'CPU' };
  },
  "destination's hypervisor refused the guest CPU": (inv, p, k) => {
    const w = clone(inv);
    const inst = w.instances.find((i) => i.id === p.moves[k].instance)!;
    if (inst.cpuMode === 'host-passthrough') inst.cpuMode = 'host-model';
    inst.cpuCompatibleHosts = w.hosts.map((h) => h.name).filter((n) => n !== p.moves[k].to);
    return { inv: w, plan: p, code: 'CPU' };
  },
  'anti-affinity partner on the destination': (inv, p, k) => {
    const m = p.moves[k];
    const partner = inv.instances.find((i) => i.host === m.to && !p.moves.some((x) => x.instance === i.id));
    if (!partner) return null;
    const w = clone(inv);
    w.serverGroups.push({ id: 'mutant', policy: 'anti-affinity' });
    for (const i of w.instances) if (i.id === partner.id || i.id === m.instance) i.serverGroup = 'mutant';
    return { inv: w, plan: p, code: 'ANTI_AFFINITY' };
  },
};

const drainOnly: Record<string, Mutation> = {
  'move dropped': (inv, p, k) => ({
    inv,
    plan: { ...p, moves: p.moves.filter((_, i) => i !== k), metrics: { ...p.metrics, moves: p.moves.length - 1 } },
    code: 'DRAIN_UNLISTED',
  }),
  'moved instance also unplaced': (inv, p, k) => {
    const m = p.moves[k];
    return {
      inv,
      plan: {
        ...p,
        unplaced: [
          ...p.unplaced,
          { instance: m.instance, name: m.name, host: m.from, code: 'NO_CAPACITY', reason: 'mutant' },
        ],
      },
      code: 'UNPLACED_BUT_MOVED',
    };
  },
  'feasible flag flipped': (inv, p) => ({ inv, plan: { ...p, feasible: !p.feasible }, code: 'FEASIBLE_FLAG' }),
};

function check(inv: Inventory, p: Plan, name: string, mutation: Mutation, k: number): void {
  const mutant = mutation(inv, p, k % p.moves.length);
  fc.pre(mutant !== null);
  const r = verifyPlan(mutant!.inv, mutant!.plan, mutant!.options);
  expect(r.ok, `${name} must be rejected`).toBe(false);
  expect(
    r.violations.map((v) => v.code),
    name,
  ).toContain(mutant!.code);
}

describe('verifier rejects mutated plans', () => {
  const drains = inventoryAndHostArb
    .map(({ inv, host }) => ({ inv, p: plan(inv, { goal: 'drain', hosts: [host] }) }))
    .filter(({ p }) => p.moves.length > 0);
  const balances = inventoryArb
    .map((inv) => ({ inv, p: plan(inv, { goal: 'balance', threshold: 0 }) }))
    .filter(({ p }) => p.moves.length > 0);

  it.each(Object.keys({ ...mutations, ...drainOnly }))('drain plan, %s', (name) => {
    const mutation = { ...mutations, ...drainOnly }[name];
    fc.assert(
      fc.property(drains, fc.nat(), ({ inv, p }, k) => check(inv, p, name, mutation, k)),
      { numRuns: 40, seed: 7 },
    );
  });

  it.each(Object.keys(mutations))('balance plan, %s', (name) => {
    fc.assert(
      fc.property(balances, fc.nat(), ({ inv, p }, k) => check(inv, p, name, mutations[name], k)),
      { numRuns: 40, seed: 8 },
    );
  });
});
