import { describe, expect, it } from 'vitest';
import { systemClock } from '../../executor/clock.js';
import { demoRegion } from '../../src/demo/region.js';
import { cachedInventorySource } from '../../src/inventory/inventory-cache.js';
import { readinessCheck } from '../../src/http/readiness.js';
import { openStore } from '../../src/store/sqlite.js';

const inventory = demoRegion({ seed: 3, cells: 1, size: 4 });

describe('readiness checks', () => {
  it('names the host that does not answer and the failed inventory refresh', async () => {
    const store = openStore(':memory:');
    let collections = 0;
    const source = cachedInventorySource({
      clock: systemClock,
      maxAgeMs: 0,
      collect: async () => {
        if (collections++ > 0) throw new Error('host b: connection refused');
        return structuredClone(inventory);
      },
    });
    const hypervisor = {
      hostFacts: async (host: string) => {
        if (host === 'b') throw new Error('unable to connect to libvirtd at b');
        return {} as never;
      },
    };
    const ready = readinessCheck({
      store,
      inventory: source,
      clock: systemClock,
      maxAgeMs: 0,
      cluster: { hypervisor, hosts: [{ name: 'a' }, { name: 'b' }] },
    });
    await source(); // first collection succeeds
    await new Promise((r) => setTimeout(r, 5));
    await source().catch(() => {}); // starts the failing background refresh
    await new Promise((r) => setTimeout(r, 5));
    const r = await ready();
    expect(r.ready).toBe(false);
    expect(r.checks.store).toEqual({ state: 'ok' });
    expect(r.checks.hypervisors).toEqual({
      state: 'failing',
      reason: 'not answering: b',
      hosts: [
        { host: 'a', state: 'ok' },
        { host: 'b', state: 'failing', reason: 'unable to connect to libvirtd at b' },
      ],
    });
    expect(r.checks.inventory).toMatchObject({
      state: 'failing',
      reason: 'refresh failed: host b: connection refused',
    });
    await store.close();
  });
});
