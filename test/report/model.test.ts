import { describe, expect, it } from 'vitest';
import { plan } from '../../planner/index.js';
import { boundPlanners } from '../../src/orchestrate/bound-planners.js';
import { buildCapacityReport } from '../../src/report/build.js';
import { instancesByHost } from '../../src/report/capacity.js';
import { cellInventory, drainWork } from '../../src/report/n-plus-one.js';
import { drainLabel, type CapacityReport } from '../../src/report/model.js';
import { scenario } from './fixtures.js';

const NOW = Date.parse('2026-01-10T12:00:00Z');
const host = (r: CapacityReport, name: string) => r.hosts.find((h) => h.host === name)!;
/** The report's planners over a state with nothing in maintenance, planning through `fns`. */
const planners = (fns: Parameters<typeof boundPlanners>[3]) =>
  boundPlanners({ maintenanceHosts: [], cooledDown: [] }, {}, () => NOW, fns);
const codes = (r: CapacityReport, name: string) => [...new Set(host(r, name).drain.blockers.map((b) => b.code))].sort();

describe('capacity report model', () => {
  it('sums capacity, allocation, measured use and headroom per cell (seed example)', () => {
    const r = buildCapacityReport(scenario('seed-example'), { now: NOW });
    expect(r.generatedAt).toBe('2026-01-10T12:00:00.000Z');
    const cell = r.cells[0];
    expect(cell).toMatchObject({ cell: 'cell1', hosts: 2, inServiceHosts: 2, instances: 3 });
    // 2 hosts x 16 vCPU x ratio 16; vm1 + vm2 + big-on-c = 1 + 1 + 22 vCPU
    expect(cell.resources.vcpus).toMatchObject({ capacity: 512, allocated: 24, headroom: 488 });
    expect(cell.resources.vcpus.used).toBeCloseTo(0.21 + 0.765 + 22 * 0.724, 6);
    expect(cell.resources.memoryMb).toEqual({
      capacity: 2 * 32232,
      allocated: 21024,
      used: null,
      headroom: 2 * 32232 - 21024,
    });
    // every instance is on shared storage: no local disk allocated
    expect(cell.resources.diskGb).toMatchObject({ capacity: 2 * 878, allocated: 0 });
    expect(cell.cpuUtilisation).toBeCloseTo((0.21 + 0.765 + 22 * 0.724) / 32, 6);
  });

  it('finds HostB drainable in the seed example', () => {
    const r = buildCapacityReport(scenario('seed-example'), { now: NOW });
    expect(host(r, 'HostB').drain).toEqual({ drainable: true, method: 'quick', blockers: [] });
    expect(r.cells[0].nPlusOne).toMatchObject({ drainable: 2, notDrainable: 0, undecided: 0 });
  });

  it('makeroom-fragmented: A is drainable with 1 extra move (decided by the planner, not refuted by a quick proof)', () => {
    const r = buildCapacityReport(scenario('makeroom-fragmented'), { now: NOW });
    expect(host(r, 'A').drain).toEqual({ drainable: true, method: 'planner', blockers: [], extraMoves: 1 });
    expect(drainLabel(host(r, 'A').drain)).toBe('drainable with 1 extra move');
    expect(drainLabel(host(r, 'B').drain)).toBe('drainable');
    expect(r.cells[0].nPlusOne).toMatchObject({ drainable: 4, notDrainable: 0, undecided: 0 });
  });

  it('reports cell1 hosts of cell-boundary as not drainable for lack of capacity, never using cell2', () => {
    const r = buildCapacityReport(scenario('cell-boundary'), { now: NOW });
    for (const name of ['c1-h0', 'c1-h1', 'c1-h2', 'c1-h3']) {
      expect(host(r, name).drain.drainable, name).toBe(false);
      expect(codes(r, name), name).toEqual(['NO_CAPACITY']);
      expect(host(r, name).drain.blockers[0].reason).toMatch(/closest host c1-h\d lacks/);
    }
    expect(r.cells.find((c) => c.cell === 'cell2')!.nPlusOne.drainable).toBe(4);
  });

  it.each([
    ['storage-modes', 's0', ['PINNED', 'READONLY_DEVICE']],
    ['cpu-compat', 'new-b', ['HYPERVISOR_INCOMPATIBLE']],
    ['cpu-compat', 'new-a', ['CPU_INCOMPATIBLE']],
  ])('%s: %s is blocked by %j', (name, hostName, expected) => {
    const r = buildCapacityReport(scenario(name), { now: NOW });
    expect(host(r, hostName).drain.drainable).toBe(false);
    expect(codes(r, hostName)).toEqual(expected);
  });

  it('never uses hosts in maintenance as targets and leaves them out of the cell capacity', () => {
    const r = buildCapacityReport(scenario('seed-example'), { now: NOW, maintenanceHosts: ['HostC'] });
    expect(host(r, 'HostC')).toMatchObject({ maintenance: true, inService: false });
    expect(host(r, 'HostB').drain.drainable).toBe(false);
    expect(codes(r, 'HostB')).toEqual(['NO_TARGET_IN_CELL']);
    expect(r.cells[0].resources.vcpus.capacity).toBe(256);
    expect(r.settings.maintenanceHosts).toEqual(['HostC']);
  });

  it('agrees with the drain planner on every host it decides quickly', () => {
    for (const name of [
      'seed-example',
      'cell-boundary',
      'storage-modes',
      'cpu-compat',
      'swap-needs-bounce',
      'tight-binpack',
    ]) {
      const inv = scenario(name);
      const r = buildCapacityReport(inv, { now: NOW });
      for (const row of r.hosts.filter((h) => h.drain.method === 'quick')) {
        const full = plan(inv, { goal: 'drain', hosts: [row.host] }, { method: 'heuristic' });
        expect(row.drain.drainable, `${name} ${row.host}`).toBe(full.feasible);
        const planned = new Set(full.unplaced.map((u) => u.instance));
        for (const b of row.drain.blockers) expect(planned.has(b.instance), `${name} ${row.host} ${b.name}`).toBe(true);
      }
    }
  });

  it('uses the drain planner where no quick proof exists (tight packing)', () => {
    const r = buildCapacityReport(scenario('tight-binpack'), { now: NOW });
    expect(host(r, 'tb-src').drain).toEqual({ drainable: true, method: 'planner', blockers: [] });
  });

  it('leaves hosts undecided once the planner budget is used up, and says so', () => {
    const r = buildCapacityReport(scenario('cell-boundary'), { now: NOW, plannerBudget: 0 });
    const c1 = r.hosts.filter((h) => h.cell === 'cell1');
    expect(c1.map((h) => h.drain.drainable)).toEqual([null, null, null, null]);
    expect(c1[0].drain.blockers[0]).toMatchObject({ code: 'NOT_CHECKED' });
    expect(r.cells[0].nPlusOne.undecided).toBe(4);
  });

  it('charges planner runs in work units: same inventory and budget, same answer', () => {
    const inv = scenario('tight-binpack');
    const cell = cellInventory(inv, inv.hosts, instancesByHost(inv));
    const src = inv.hosts.find((h) => h.name === 'tb-src')!;
    const cost = drainWork(cell, src);
    const onSrc = inv.instances.filter((i) => i.host === 'tb-src').length;
    expect(cost).toBe(onSrc * (inv.hosts.length - 1));
    const drained: string[] = [];
    const counting = (...args: Parameters<typeof plan>) => {
      const request = args[1];
      if (request.goal === 'drain') drained.push(...request.hosts);
      return plan(...args);
    };
    const under = buildCapacityReport(inv, {
      now: NOW,
      plannerBudget: cost - 1,
      planners: planners({ plan: counting }),
    });
    expect(drained).not.toContain('tb-src');
    expect(host(under, 'tb-src').drain.blockers[0]).toMatchObject({ code: 'NOT_CHECKED' });
    expect(host(under, 'tb-src').drain.blockers[0].reason).toContain(`${cost - 1} of ${cost - 1} work units`);
    const exact = buildCapacityReport(inv, { now: NOW, plannerBudget: cost, planners: planners({ plan: counting }) });
    expect(drained).toContain('tb-src');
    expect(host(exact, 'tb-src').drain).toEqual({ drainable: true, method: 'planner', blockers: [] });
    const again = buildCapacityReport(inv, { now: NOW, plannerBudget: cost });
    const strip = (r: CapacityReport) => r.hosts.map((h) => [h.host, h.drain]);
    expect(strip(again)).toEqual(strip(exact));
  });

  it('reports a planner failure as a value', () => {
    const plan = () => {
      throw new Error('solver exploded');
    };
    const r = buildCapacityReport(scenario('tight-binpack'), { now: NOW, planners: planners({ plan }) });
    expect(host(r, 'tb-src').drain.blockers[0]).toMatchObject({
      code: 'PLANNER_ERROR',
      reason: 'drain planner failed: solver exploded',
    });
    expect(r.cells[0].tonight).toMatchObject({ moves: [], error: 'balance planner failed: solver exploded' });
    expect(r.cells[0].tonight.before).not.toBeNull();
  });
});
