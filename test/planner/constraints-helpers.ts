/** Small inventory builders for planner tests: every field explicit, defaults as in the spec. */
import type { Host, Instance, Inventory } from '../../planner/index.js';
import { host as tinyHost, inventory, vm as tinyVm } from './support/tiny.js';
import { parseInventory } from '../../planner/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The tiny builders' host, bigger: 32 vCPU, 64 GiB, 1 TB, Skylake-Server (Broadwell-compatible). */
export function host(name: string, over: Partial<Host> = {}): Host {
  return tinyHost(name, {
    vcpus: 32,
    memoryMb: 65536,
    diskGb: 1000,
    cpuModel: 'Skylake-Server',
    compatibleCpuModels: ['Skylake-Server', 'Broadwell'],
    ...over,
  });
}

/** The tiny builders' instance with id `id-<name>` and a 20 GB disk. */
export function vm(name: string, hostName: string, over: Partial<Instance> = {}): Instance {
  return tinyVm(`id-${name}`, hostName, { name, diskGb: 20, ...over });
}

export { inventory };

/** A scenario fixture from test/fixtures/scenarios, parsed. */
export function scenario(name: string): Inventory {
  const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`), 'utf8'));
  const parsed = parseInventory(doc);
  if (!parsed.ok) throw new Error(`fixture ${name}: ${JSON.stringify(parsed.issues)}`);
  return parsed.inventory;
}
