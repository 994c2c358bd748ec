/** The goal checked after execution (src/orchestrate/goal.ts): drain emptiness and newcomers, balance figures. */
import { describe, expect, it } from 'vitest';
import { plan } from '../../planner/index.js';
import { cellImbalance, goalOutcome } from '../../src/orchestrate/goal.js';
import { host, inventory, vm } from '../planner/constraints-helpers.js';

const hosts = () => [host('a'), host('b'), host('c')];

describe('goal outcome', () => {
  it('drain: met when the drained host is empty; remaining and arrived instances are told apart', () => {
    const before = inventory(hosts(), [vm('x', 'a'), vm('y', 'a'), vm('z', 'b')]);
    const p = plan(before, { goal: 'drain', hosts: ['a'] });
    expect(p.moves.map((m) => m.name).sort()).toEqual(['x', 'y']);
    const done = inventory(hosts(), [vm('x', 'b'), vm('y', 'c'), vm('z', 'b')]);
    expect(goalOutcome([p], done, 5)).toMatchObject({ goal: 'drain', met: true, checkedAt: 5 });
    // y never left, and z arrived on a meanwhile
    const after = inventory(hosts(), [vm('x', 'b'), vm('y', 'a'), vm('z', 'a')]);
    const o = goalOutcome([p], after, 6);
    expect(o).toMatchObject({
      met: false,
      hosts: [{ host: 'a', empty: false, remaining: [{ name: 'y' }], arrived: [{ name: 'z' }] }],
    });
  });

  it('drain chain: instances of any plan of the chain count as its own', () => {
    const before = inventory(hosts(), [vm('x', 'a'), vm('n', 'b')]);
    const first = plan(before, { goal: 'drain', hosts: ['a'] });
    const second = plan(inventory(hosts(), [vm('x', 'b'), vm('n', 'a')]), { goal: 'drain', hosts: ['a'] });
    const o = goalOutcome([first, second], inventory(hosts(), [vm('x', 'b'), vm('n', 'a')]), 1);
    expect(o).toMatchObject({ met: false, hosts: [{ remaining: [{ name: 'n' }], arrived: [] }] });
  });

  it('balance: records the imbalance planned and achieved per cell', () => {
    const big = { memoryMb: 16384 };
    const before = inventory(hosts(), [vm('p', 'a', big), vm('q', 'a', big), vm('r', 'a', big)]);
    const p = plan(before, { goal: 'balance', threshold: 0.01 });
    expect(p.moves.length).toBeGreaterThan(0);
    const planned = cellImbalance(p.metrics.after.cell1);
    const asPlanned = inventory(
      hosts(),
      before.instances.map((i) => ({ ...i, host: p.moves.find((m) => m.instance === i.id)?.to ?? i.host })),
    );
    const o = goalOutcome([p], asPlanned, 9, 0.01);
    expect(o).toMatchObject({ goal: 'balance', met: true, cells: [{ cell: 'cell1', planned, achieved: planned }] });
    if (o.goal !== 'balance') throw new Error('balance outcome expected');
    expect(o.cells[0].before).toBeGreaterThan(planned);
    const unmoved = goalOutcome([p], before, 9, 0.01);
    expect(unmoved).toMatchObject({ met: false, cells: [{ achieved: o.cells[0].before }] });
  });
});
