/** The demo world file: placements and clock carried across restarts, foreign files ignored. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../executor/clock.js';
import { demoWorldPath, openDemoWorld } from '../../src/demo/world.js';

const region = { seed: 5, cells: 1, size: 4 };

/** A real-time base clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  const clock: Clock = { now: () => t, sleep: async () => {} };
  return {
    clock,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('demo world', () => {
  it('keeps moved VMs where they went and the clock running forward across a restart', async () => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'demo-world-')), 'store.sqlite');
    const base = manualClock();
    const one = openDemoWorld({ region, timeScale: 60, storePath, base: base.clock });
    expect(one.restored).toBe(false);
    const vm = one.inventory.instances.find((i) => i.status === 'ACTIVE')!;
    const target = one.inventory.hosts.find((h) => h.name !== vm.host && h.cell === one.inventory.hosts[0].cell)!;
    const before = one.clock.now();
    base.advance(1000);
    expect(one.clock.now()).toBe(before + 60_000);
    const moved = one.cluster.migrate({
      domainId: vm.id,
      domainName: vm.name,
      from: vm.host,
      to: target.name,
      mode: 'live',
    });
    // the base clock does not move, so the migration is still in flight when the process ends
    moved.catch(() => undefined);
    await one.cluster.close();
    const saved = JSON.parse(readFileSync(demoWorldPath(storePath)!, 'utf8'));
    expect(saved.domains.find((d: { id: string }) => d.id === vm.id).host).toBe(vm.host); // interrupted: on its source

    base.advance(500);
    const two = openDemoWorld({ region, timeScale: 60, storePath, base: base.clock });
    expect(two.restored).toBe(true);
    expect(two.clock.now()).toBeGreaterThanOrEqual(before + 60_000 + 30_000);
    await two.cluster.close();
  });

  it('creates the store folder when it does not exist yet (a fresh checkout has no data/)', async () => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'demo-world-')), 'data', 'store.sqlite');
    const world = openDemoWorld({ region, timeScale: 60, storePath });
    await world.cluster.close();
    expect(existsSync(demoWorldPath(storePath)!)).toBe(true);
  });

  it('continues from saved placements, ignores a file of another region, and read-only never writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-world-'));
    const storePath = join(dir, 'store.sqlite');
    const first = openDemoWorld({ region, timeScale: 60, storePath });
    const vm = first.inventory.instances[0];
    const other = first.inventory.hosts.find((h) => h.name !== vm.host)!;
    await first.cluster.close();
    const path = demoWorldPath(storePath)!;
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.domains.find((d: { id: string }) => d.id === vm.id).host = other.name;
    writeFileSync(path, JSON.stringify(file));
    const again = openDemoWorld({ region, timeScale: 60, storePath, readOnly: true });
    expect(again.inventory.instances.find((i) => i.id === vm.id)!.host).toBe(other.name);
    expect(again.cluster.whereIs(vm.id)!.host).toBe(other.name);
    await again.cluster.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(file); // read-only: untouched

    const warnings: string[] = [];
    const foreign = openDemoWorld({
      region: { ...region, seed: 6 },
      timeScale: 60,
      storePath,
      onWarning: (m) => warnings.push(m),
    });
    expect(foreign.restored).toBe(false);
    expect(warnings[0]).toMatch(/another region/);
    await foreign.cluster.close();
    expect(existsSync(demoWorldPath(':memory:') ?? 'none')).toBe(false);
  });
});
