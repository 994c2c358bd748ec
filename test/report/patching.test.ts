/**
 * The capacity report's rolling-maintenance section: per cell, could it be patched now with 1 and
 * 2 hosts out at once, in how many steps, moving how many GiB, taking how long at the configured
 * executor limits, and which step fails and why; decided within a work budget, never wall time.
 */
import { describe, expect, it } from 'vitest';
import { planMaintenance } from '../../planner/index.js';
import { buildCapacityReport } from '../../src/report/build.js';
import { renderCsv, CSV_COLUMNS } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import type { CapacityReport } from '../../src/report/model.js';
import { campaignWork } from '../../src/report/patching.js';
import { cellInventory } from '../../src/report/n-plus-one.js';
import { instancesByHost } from '../../src/report/capacity.js';
import { DEFAULT_EXECUTION_LIMITS, drainSeconds, type CampaignTiming } from '../../src/orchestrate/duration.js';
import { scenario } from './fixtures.js';

const cellOf = (r: CapacityReport, cell: string) => r.cells.find((c) => c.cell === cell)!;
const level = (r: CapacityReport, cell: string, n: number) =>
  cellOf(r, cell).patching.find((p) => p.maxUnavailable === n)!;

describe('capacity report: can each cell be patched now?', () => {
  it('gives the campaign planner’s steps, moves and GiB for maxUnavailable 1 and 2 (campaign-cell-6)', () => {
    const inv = scenario('campaign-cell-6');
    const r = buildCapacityReport(inv, { now: 0 });
    expect(cellOf(r, 'cell1').patching.map((p) => p.maxUnavailable)).toEqual([1, 2]);
    for (const n of [1, 2]) {
      const direct = planMaintenance(inv, { cells: ['cell1'], maxUnavailable: n });
      const p = level(r, 'cell1', n);
      expect(p).toMatchObject({
        patchable: true,
        hosts: 6,
        steps: Math.ceil(6 / n),
        moves: direct.metrics.moves,
        gibToCopy: direct.metrics.gibToCopy,
        instancesMovedTwiceOrMore: direct.metrics.instancesMovedTwiceOrMore,
        failingStep: null,
        reason: null,
      });
      expect(p.schedule.map((s) => s.hosts)).toEqual(direct.steps.map((s) => s.hosts));
      expect(p.moves).toBeGreaterThan(0);
    }
  });

  it('takes as long as the configured executor limits and patch time say', () => {
    const inv = scenario('campaign-cell-6');
    const serial: CampaignTiming = {
      limits: {
        concurrency: { global: 1, perHostOutbound: 1, perHostInbound: 1 },
        bandwidthMiBps: 0,
        migrationOverheadSeconds: 0,
      },
      patchMinutes: 20,
    };
    const slow = buildCapacityReport(inv, { now: 0, patching: { timing: serial } });
    const direct = planMaintenance(inv, { cells: ['cell1'], maxUnavailable: 1 });
    // one migration at a time: every move's own estimate, plus 20 minutes per step
    const moveSum = direct.steps.flatMap((s) => s.moves).reduce((t, m) => t + m.estimatedSeconds, 0);
    const p = level(slow, 'cell1', 1);
    expect(Math.abs(p.seconds! - (moveSum + 6 * 20 * 60))).toBeLessThanOrEqual(6); // each step rounded to 1 s
    expect(slow.settings.patching).toEqual({ patchMinutes: 20, ...serial.limits });
    const fast = buildCapacityReport(inv, {
      now: 0,
      patching: { timing: { ...serial, limits: { ...DEFAULT_EXECUTION_LIMITS, migrationOverheadSeconds: 0 } } },
    });
    expect(level(fast, 'cell1', 1).seconds!).toBeLessThan(p.seconds!);
    expect(level(fast, 'cell1', 1).schedule[0].seconds).toBe(
      Math.round(
        drainSeconds(direct.steps[0].moves, { ...DEFAULT_EXECUTION_LIMITS, migrationOverheadSeconds: 0 }) + 1200,
      ),
    );
    // two hosts out at once: half the steps, so about half the patching time
    expect(level(slow, 'cell1', 2).steps).toBe(3);
  });

  it('names the failing step and why when a cell cannot be patched, and still plans the rest', () => {
    const full = buildCapacityReport(scenario('cell-boundary'), { now: 0 });
    const p = level(full, 'cell1', 1);
    expect(p.patchable).toBe(false);
    expect(p.failingStep).toBe(0);
    expect(p.reason).toMatch(/^step 1 \(c1-h\d\) cannot be emptied: vm-\S+ on c1-h\d: .*has room/);
    expect(p.schedule).toHaveLength(4);
    expect(p.schedule[0].stays.length).toBeGreaterThan(0);
    expect(new Set(p.schedule[0].stays.map((s) => s.code))).toEqual(new Set(['NO_CAPACITY']));
    expect(level(full, 'cell2', 1)).toMatchObject({ patchable: true, steps: 4, reason: null });

    const pinned = level(buildCapacityReport(scenario('storage-modes'), { now: 0 }), 'cell1', 1);
    expect(pinned.patchable).toBe(false);
    const stays = pinned.schedule[pinned.failingStep!].stays;
    expect(stays.map((s) => s.code).sort()).toEqual(['PINNED', 'READONLY_DEVICE']);
    expect(pinned.reason).toContain('is pinned to s0 and never moves');
  });

  it('counts work units: a cell over the budget is not decided, with the reason, the same on every run', () => {
    const inv = scenario('campaign-cell-6');
    const cell = cellInventory(inv, inv.hosts, instancesByHost(inv));
    const cost = campaignWork(cell);
    expect(cost).toBe(cell.instances.length * (cell.hosts.length - 1));
    const one = buildCapacityReport(inv, { now: 0, patching: { budget: cost } });
    expect(level(one, 'cell1', 1).patchable).toBe(true);
    expect(level(one, 'cell1', 2)).toMatchObject({ patchable: null, steps: null, seconds: null, schedule: [] });
    expect(level(one, 'cell1', 2).reason).toBe(
      `not checked: a campaign-planner run (${cost} work units) would exceed what is left of this cell's budget ` +
        `(0 of ${cost} work units)`,
    );
    const none = buildCapacityReport(inv, { now: 0, patching: { budget: cost - 1 } });
    expect(cellOf(none, 'cell1').patching.map((p) => p.patchable)).toEqual([null, null]);
  });

  it('CSV: each host’s step and what stays on it, and its cell’s figures', () => {
    const r = buildCapacityReport(scenario('storage-modes'), { now: 0 });
    const csv = renderCsv(r).trimEnd().split('\n');
    const header = csv[0].split(',');
    expect(header).toEqual([...CSV_COLUMNS]);
    const col = (name: string) => header.indexOf(name);
    const p = level(r, 'cell1', 1);
    for (const [k, step] of p.schedule.entries()) {
      const row = csv.find((line) => line.startsWith(`cell1,${step.hosts[0]},`))!;
      // the reason is the last column and may hold commas: compare the fields before it
      const fields = row.split(',');
      expect(fields[col('patch_max1_step')]).toBe(String(k + 1));
      expect(fields[col('cell_patch_max1_patchable')]).toBe('false');
      expect(fields[col('cell_patch_max1_steps')]).toBe('4');
      expect(Number(fields[col('cell_patch_max1_minutes')])).toBeCloseTo(p.seconds! / 60, 1);
    }
    const s0 = csv.find((line) => line.startsWith('cell1,s0,'))!;
    expect(s0).toContain('PINNED: instance');
  });

  it('HTML: a rolling-maintenance table per cell with the verdict, figures and the reason', () => {
    const r = buildCapacityReport(scenario('cell-boundary'), { now: 0 });
    const html = renderHtml(r);
    expect(html.match(/Rolling maintenance: can the cell be patched now\?/g)).toHaveLength(2);
    expect(html).toContain('step 1 (c1-h');
    expect(html).toContain('15 min to patch a host');
    expect(html).toMatch(/<td class="num">2<\/td><td><span class="badge ok">yes<\/span><\/td><td class="num">2<\/td>/);
  });
});
