/**
 * `rebalancer inventory --config FILE`: collects the inventory from the configured hypervisors
 * (the simulated demo region when none is configured) and prints it in the plan format, for
 * plan-only work (`rebalancer plan --inventory`) and bug reports. Never moves anything and never
 * creates a store.
 */
import type { Instance, Inventory } from '../../../planner/index.js';
import { collectFromConfig } from '../../report/sources.js';
import type { CommandIo } from '../io.js';
import { commandArgs, commandConfig, usageError } from '../setup.js';

const HELP = `usage: rebalancer inventory [--config FILE] [--format json|text]

Collects the inventory of the configured hosts (facts, domains, CPU utilisation, and which hosts
each guest CPU can run on, as their hypervisors answered) and prints it in the plan format.

  --config FILE     service configuration (default: REBALANCER_CONFIG, else the embedded default)
  --format FORMAT   json (default when stdout is not a terminal) | text
  --help            show this help

Exit status: 0 printed, 2 bad input (nothing is printed).
`;

const fail = (io: CommandIo, message: string) => usageError('inventory', io, message);

function cpuOf(i: Instance): string {
  const where = i.cpuCompatibleHosts ? ` -> ${i.cpuCompatibleHosts.join(', ') || 'none'}` : '';
  return `${i.cpuMode}${i.cpuModel ? ` ${i.cpuModel}` : ''}${where}`;
}

/** A terminal summary: hosts, then instances with where their CPU can run. */
export function renderInventoryText(inv: Inventory): string {
  const lines = [`Hosts (${inv.hosts.length})`];
  for (const h of inv.hosts) {
    const hv = `${h.hypervisorType} ${h.hypervisorVersion}`;
    lines.push(`  ${h.name}  cell ${h.cell}  ${h.state}  ${h.vcpus} vCPU  ${h.memoryMb} MB  ${hv}  CPU ${h.cpuModel}`);
  }
  lines.push('', `Instances (${inv.instances.length})`);
  for (const i of inv.instances)
    lines.push(
      `  ${i.name}  on ${i.host}  ${i.status}  ${i.vcpus} vCPU  ${i.memoryMb} MB  ${i.storage}  CPU ${cpuOf(i)}`,
    );
  return `${lines.join('\n')}\n`;
}

const OPTIONS = { config: { type: 'string' }, format: { type: 'string' } } as const;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const args = commandArgs('inventory', io, HELP, argv, OPTIONS, (err) => fail(io, err.message));
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  if (positionals.length) return fail(io, `unexpected argument "${positionals[0]}"`);
  const format = values.format ?? (io.isTty ? 'text' : 'json');
  if (format !== 'json' && format !== 'text') return fail(io, `expected --format json or text, got "${format}"`);
  const config = commandConfig('inventory', io, { path: values.config });
  if (typeof config === 'number') return config;
  const inventory = await collectFromConfig(config, (w) => io.stderr(`warning: ${w.message}\n`));
  io.stdout(format === 'json' ? `${JSON.stringify(inventory, null, 2)}\n` : renderInventoryText(inventory));
  return 0;
}
