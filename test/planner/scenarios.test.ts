/**
 * Every named scenario (test/fixtures/scenarios/*.json) against its expectations
 * (*.expect.json): drains end feasible or not as expected, balances produce a plan the verifier
 * accepts that does not make the cell less balanced.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseInventory,
  plan,
  planMaintenance,
  verifyCampaign,
  verifyPlan,
  type Inventory,
} from '../../planner/index.js';
import { cellStats, finalPlacement } from '../../planner/metrics.js';

const dir = resolve(import.meta.dirname, '../fixtures/scenarios');
interface Expectation {
  drain?: string[];
  feasible?: boolean;
  balance?: string;
  /** A maintenance campaign over this cell. */
  cell?: string;
  maxUnavailable?: number;
}

const inventories = new Map<string, Inventory>();
function load(name: string): Inventory {
  let inv = inventories.get(name);
  if (!inv) {
    const parsed = parseInventory(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')));
    if (!parsed.ok) throw new Error(`${name}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    inv = parsed.inventory;
    inventories.set(name, inv);
  }
  return inv;
}

const names = readdirSync(dir)
  .filter((f) => f.endsWith('.expect.json'))
  .map((f) => f.replace(/\.expect\.json$/, ''))
  .sort();
const expectations = names.map(
  (n) => [n, JSON.parse(readFileSync(join(dir, `${n}.expect.json`), 'utf8')) as Expectation] as const,
);
const drains = expectations.filter(([, e]) => e.drain).map(([n, e]) => [n, e.drain!, e.feasible ?? true] as const);
const campaigns = expectations
  .filter(([, e]) => e.cell)
  .map(([n, e]) => [n, e.cell!, e.maxUnavailable ?? 1, e.feasible ?? true] as const);
const balances = expectations.filter(([, e]) => e.balance).map(([n, e]) => [n, e.balance!] as const);

describe('scenario fixtures', () => {
  it('cover drains and balances', () => {
    expect(drains.length).toBeGreaterThanOrEqual(6);
    expect(balances.length).toBeGreaterThanOrEqual(2);
  });
});

describe('drain scenarios', () => {
  it.each(drains)('%s: drain %j -> feasible %s', (name, hosts, feasible) => {
    const inv = load(name);
    const p = plan(inv, { goal: 'drain', hosts });
    expect(verifyPlan(inv, p).violations).toEqual([]);
    expect(p.feasible).toBe(feasible);
    const end = finalPlacement(p.moves);
    const unplaced = new Set(p.unplaced.map((u) => u.instance));
    for (const inst of inv.instances.filter((i) => hosts.includes(i.host))) {
      const left = !hosts.includes(end.get(inst.id) ?? inst.host);
      expect(left !== unplaced.has(inst.id), `${inst.name} must be moved away or unplaced, not both`).toBe(true);
    }
    if (!feasible) expect(p.unplaced.length).toBeGreaterThan(0);
  });
});

describe('balance scenarios', () => {
  it.each(balances)('%s: balance %s', (name, cell) => {
    const inv = load(name);
    const p = plan(inv, { goal: 'balance', cells: [cell] });
    expect(verifyPlan(inv, p).violations).toEqual([]);
    const before = cellStats(inv, new Map())[cell];
    const after = cellStats(inv, finalPlacement(p.moves))[cell];
    // Imbalance is the coefficient of variation of memory allocation (the balance threshold's measure).
    expect(after.memAlloc.cv).toBeLessThanOrEqual(before.memAlloc.cv + 1e-9);
    for (const m of p.moves) expect(inv.hosts.find((h) => h.name === m.to)!.cell).toBe(cell);
  });
});

describe('campaign scenarios', () => {
  it('cover at least one campaign', () => expect(campaigns.length).toBeGreaterThanOrEqual(1));

  it.each(campaigns)('%s: campaign over %s, maxUnavailable %i -> feasible %s', (name, cell, n, feasible) => {
    const inv = load(name);
    const p = planMaintenance(inv, { cells: [cell], maxUnavailable: n });
    expect(verifyCampaign(inv, p).violations).toEqual([]);
    expect(p.feasible).toBe(feasible);
    const hosts = inv.hosts.filter((h) => h.cell === cell && h.enabled && h.state === 'up').length;
    if (feasible) expect(p.steps).toHaveLength(Math.ceil(hosts / n));
  });
});
