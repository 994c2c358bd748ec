/**
 * Rules about one move on its own: where it may go (cell, target state, drains, avoided and
 * excluded hosts), hypervisor and CPU compatibility, migration mode and the timeout budget.
 */
import type { Host, Instance } from '../model/inventory.js';
import type { MigrationMode, Move } from '../model/plan.js';
import { pairKey, report, type VerifyContext } from './context.js';

/** Relative tolerance for computed figures (timeouts, GiB). */
const REL_TOL = 1e-6;

/** The mode the spec requires, or the reason the instance may not move at all. */
export function requiredMode(inst: Instance): MigrationMode | 'PINNED' | 'READONLY_DEVICE' {
  if (inst.pinned) return 'PINNED';
  if (inst.status === 'SHUTOFF') return 'cold';
  if (inst.storage !== 'local') return 'live';
  return inst.configDrive || inst.cdrom ? 'READONLY_DEVICE' : 'block';
}

function close(actual: number, expected: number, absTol: number): boolean {
  return Number.isFinite(actual) && Math.abs(actual - expected) <= Math.max(absTol, REL_TOL * Math.abs(expected));
}

function checkMode(ctx: VerifyContext, m: Move, inst: Instance): void {
  const need = requiredMode(inst);
  const base = { wave: m.wave, instance: inst.id, host: m.to };
  if (need === 'PINNED')
    report(ctx, { ...base, code: 'PINNED', message: `instance ${inst.name} is pinned and must never move` });
  else if (need === 'READONLY_DEVICE') {
    report(ctx, {
      ...base,
      code: 'READONLY_DEVICE',
      message:
        `instance ${inst.name} has local storage with a ${inst.configDrive ? 'config drive' : 'CD-ROM'} and ` +
        `cannot be block-migrated`,
    });
  } else if (m.mode !== need) {
    report(ctx, {
      ...base,
      code: 'MODE',
      message:
        `instance ${inst.name} (${inst.status}, ${inst.storage} storage) must move "${need}", ` +
        `plan says "${m.mode}"`,
    });
  }
  // Figures follow the mode the plan declares; a wrong mode is already reported above.
  const gib = inst.memoryMb / 1024 + (m.mode === 'block' ? inst.diskGb : 0);
  const timeout = ctx.timeoutPerGiB * Math.max(2, gib);
  if (!close(m.timeoutSeconds, timeout, 1e-6)) {
    report(ctx, {
      ...base,
      code: 'TIMEOUT',
      message:
        `instance ${inst.name}: timeoutSeconds ${m.timeoutSeconds}, expected ${ctx.timeoutPerGiB} s/GiB x ` +
        `max(2, ${gib} GiB) = ${timeout}`,
    });
  }
  // GiB may be rounded to 2 decimals for display.
  if (!close(m.gib, gib, 0.005 + 1e-9)) {
    const counted = m.mode === 'block' ? 'memory + local disk' : 'memory';
    report(ctx, {
      ...base,
      code: 'GIB',
      message: `instance ${inst.name}: gib ${m.gib}, expected ${gib} (${counted})`,
    });
  }
  if (!Number.isFinite(m.estimatedSeconds) || m.estimatedSeconds < 0) {
    report(ctx, {
      ...base,
      code: 'ESTIMATE',
      message: `instance ${inst.name}: estimatedSeconds ${m.estimatedSeconds}, expected a finite number >= 0`,
    });
  }
}

function checkTarget(ctx: VerifyContext, m: Move, inst: Instance, home: Host, to: Host): void {
  const base = { wave: m.wave, instance: inst.id, host: to.name };
  const fail = (code: string, message: string) => report(ctx, { ...base, code, message });
  if (to.name === m.from) fail('SAME_HOST', `instance ${inst.name} moves from ${m.from} to the same host`);
  if (to.cell !== home.cell)
    fail('CELL', `instance ${inst.name} of cell ${home.cell} moves to ${to.name} in cell ${to.cell}`);
  if (!to.enabled) fail('TARGET_DISABLED', `instance ${inst.name} moves to ${to.name}, which is disabled`);
  if (to.state !== 'up') fail('TARGET_DOWN', `instance ${inst.name} moves to ${to.name}, whose state is "${to.state}"`);
  if (ctx.drained.has(to.name))
    fail('TARGET_DRAINED', `instance ${inst.name} moves to ${to.name}, which this plan drains`);
  if (ctx.avoid.has(to.name))
    fail('TARGET_AVOIDED', `instance ${inst.name} moves to ${to.name}, which is on the avoid list`);
  if (ctx.excludedHosts.has(to.name) || ctx.excludedPairs.has(pairKey(inst.id, to.name))) {
    fail('EXCLUDED', `instance ${inst.name} moves to ${to.name}, an excluded placement`);
  }
}

/**
 * Hypervisor: checked against the host the move leaves (each hop must not downgrade). CPU: the
 * hosts whose hypervisor accepted the guest CPU when the inventory lists them (not for
 * host-passthrough), else the instance's original host, whose CPU model the running guest keeps.
 */
function checkCompat(ctx: VerifyContext, m: Move, inst: Instance, home: Host, from: Host, to: Host): void {
  const base = { wave: m.wave, instance: inst.id, host: to.name };
  if (to.hypervisorType !== from.hypervisorType) {
    report(ctx, {
      ...base,
      code: 'HYPERVISOR_TYPE',
      message: `instance ${inst.name}: ${from.name} runs ${from.hypervisorType}, ${to.name} runs ${to.hypervisorType}`,
    });
  } else if (to.hypervisorVersion < from.hypervisorVersion) {
    report(ctx, {
      ...base,
      code: 'HYPERVISOR_VERSION',
      message:
        `instance ${inst.name}: ${to.name} has hypervisor version ${to.hypervisorVersion} < ` +
        `${from.hypervisorVersion} on ${from.name}`,
    });
  }
  // the hypervisors' own answers, when collected, decide for custom and host-model guests
  const asked = inst.cpuMode === 'host-passthrough' ? null : (inst.cpuCompatibleHosts ?? null);
  if (asked) {
    if (!asked.includes(to.name))
      report(ctx, {
        ...base,
        code: 'CPU',
        message: `instance ${inst.name} (${inst.cpuMode}) moves to ${to.name}, whose hypervisor did not accept its CPU`,
      });
    return;
  }
  const model = inst.cpuMode === 'custom' ? inst.cpuModel : home.cpuModel;
  if (model === null || !to.compatibleCpuModels.includes(model)) {
    report(ctx, {
      ...base,
      code: 'CPU',
      message:
        `instance ${inst.name} (${inst.cpuMode}) needs CPU model ${model}, ${to.name} supports ` +
        `${to.compatibleCpuModels.join(', ')}`,
    });
  }
}

/** Every single-move rule; `from` is the host the instance is on when the move starts. */
export function checkMove(ctx: VerifyContext, m: Move, inst: Instance, from: Host, to: Host): void {
  const home = ctx.hosts[ctx.hostIndex.get(inst.host) ?? -1] ?? from;
  checkMode(ctx, m, inst);
  checkTarget(ctx, m, inst, home, to);
  checkCompat(ctx, m, inst, home, from, to);
}
