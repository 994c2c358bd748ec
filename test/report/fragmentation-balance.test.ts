import { describe, expect, it } from 'vitest';
import { plan } from '../../planner/index.js';
import { buildCapacityReport } from '../../src/report/build.js';
import { demoRegion } from '../../src/demo/region.js';
import { scenario } from './fixtures.js';

const NOW = 0;

describe('fragmentation', () => {
  it('counts how many more of each flavor size fit, host by host (seed example)', () => {
    const r = buildCapacityReport(scenario('seed-example'), { now: NOW });
    // free: HostB 254 vCPU / 31208 MB, HostC 234 vCPU / 12232 MB, 878 GB disk each
    expect(r.cells[0].fragmentation).toEqual([
      { vcpus: 22, memoryMb: 20000, diskGb: 422, count: 1, fitShared: 1, fitLocal: 1 },
      { vcpus: 1, memoryMb: 512, diskGb: 1, count: 2, fitShared: 60 + 23, fitLocal: 60 + 23 },
    ]);
  });

  it('never counts capacity split across hosts as room for one instance', () => {
    const inv = scenario('seed-example');
    // 2 x 12000 MB free would hold 24000 MB, but no single host can take 20000 MB
    for (const h of inv.hosts) h.reservedMemoryMb = h.memoryMb - 12000 - (h.name === 'HostB' ? 1024 : 20000);
    const r = buildCapacityReport(inv, { now: NOW });
    expect(r.cells[0].fragmentation.find((f) => f.memoryMb === 20000)!.fitShared).toBe(0);
  });

  it('limits local-disk fits by free local disk', () => {
    const inv = scenario('seed-example');
    inv.instances.find((i) => i.name === 'big-on-c')!.storage = 'local';
    const r = buildCapacityReport(inv, { now: NOW });
    const big = r.cells[0].fragmentation.find((f) => f.memoryMb === 20000)!;
    // HostC has 878 - 422 GB disk left and 12232 MB memory: nothing; HostB: 1 by memory, 2 by disk
    expect(big).toMatchObject({ fitShared: 1, fitLocal: 1 });
    const small = r.cells[0].fragmentation.find((f) => f.memoryMb === 512)!;
    expect(small.fitLocal).toBe(60 + 23);
  });
});

describe("tonight's balance", () => {
  it('plans one balance for the night: move limit over all cells, frozen instances stay', () => {
    const inv = demoRegion({ seed: 7, cells: 2, size: 24 });
    const unlimited = plan(inv, { goal: 'balance', threshold: 0.1 });
    expect(unlimited.moves.length).toBeGreaterThan(8);
    const frozen = unlimited.moves.slice(0, 4).map((m) => m.instance);
    const r = buildCapacityReport(inv, { now: NOW, balance: { threshold: 0.1, maxMoves: 6, frozenInstances: frozen } });
    const moves = r.cells.flatMap((c) => c.tonight.moves);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.length).toBeLessThanOrEqual(6);
    expect(moves.filter((m) => frozen.includes(m.instance))).toEqual([]);
    for (const c of r.cells) {
      expect(c.tonight.error).toBeNull();
      expect(c.tonight.moves.every((m) => m.from.startsWith(`${c.cell}-`) && m.to.startsWith(`${c.cell}-`))).toBe(true);
      expect(c.tonight.gibToCopy).toBeCloseTo(
        c.tonight.moves.reduce((s, m) => s + m.gib, 0),
        3,
      );
      if (c.tonight.moves.length) expect(c.tonight.after!.memAlloc.cv).toBeLessThan(c.tonight.before!.memAlloc.cv);
    }
    expect(r.settings).toMatchObject({ threshold: 0.1, maxMoves: 6, frozenInstances: 4 });
  });

  it('moves nothing when the cell is within the threshold', () => {
    const r = buildCapacityReport(scenario('storage-modes'), { now: NOW, balance: { threshold: 10 } });
    expect(r.cells[0].tonight.moves).toEqual([]);
    expect(r.cells[0].tonight.before).toEqual(r.cells[0].tonight.after);
  });
});

describe('scale', () => {
  // Timings are measured by `npm run bench`, not asserted here: this checks every host is decided.
  it.each([200, 1000])('builds the report of a %i-host cell and decides every host', (size) => {
    const inv = demoRegion({ seed: 7, cells: 1, size });
    const r = buildCapacityReport(inv, { now: NOW, balance: { maxMoves: 20 } });
    expect(r.hosts).toHaveLength(size);
    expect(r.cells[0].nPlusOne.undecided).toBe(0);
    expect(r.cells[0].nPlusOne.drainable + r.cells[0].nPlusOne.notDrainable).toBe(size);
  });
});
