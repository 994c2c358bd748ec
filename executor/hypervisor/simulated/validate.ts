/** Checks a migration request against the simulated cluster, as libvirt would refuse it. */
import { HypervisorError } from '../errors.js';
import type { MigrationRequest } from '../types.js';
import type { SimDomain, SimState } from './state.js';

export function checkMigration(state: SimState, req: MigrationRequest, busy: boolean): SimDomain {
  state.reachable(req.from);
  state.reachable(req.to);
  const d = state.domains.get(req.domainId);
  if (!d || d.host !== req.from)
    throw new HypervisorError('NOT_FOUND', `domain ${req.domainId} is not on ${req.from}`, false);
  if (busy) throw new HypervisorError('BUSY', `another job runs on domain ${req.domainId}`, true);
  if (req.from === req.to)
    throw new HypervisorError('MIGRATION_FAILED', `source and destination are both ${req.to}`, false);
  if (req.mode === 'cold' && d.state !== 'shutoff') {
    throw new HypervisorError(
      'MIGRATION_FAILED',
      `cold migration needs a shut-off domain, ${req.domainId} is ${d.state}`,
      false,
    );
  }
  if (req.mode !== 'cold' && d.state === 'shutoff') {
    throw new HypervisorError(
      'MIGRATION_FAILED',
      `live migration needs a running or paused domain, ${req.domainId} is shut off`,
      false,
    );
  }
  if (req.mode === 'block' && (d.facts.configDrive || d.facts.cdrom)) {
    throw new HypervisorError(
      'MIGRATION_FAILED',
      `domain ${req.domainId} has a read-only device and cannot be block-migrated`,
      false,
    );
  }
  const src = state.host(req.from).spec;
  const dst = state.host(req.to).spec;
  if (dst.hypervisorType !== src.hypervisorType || dst.hypervisorVersion < src.hypervisorVersion) {
    throw new HypervisorError(
      'MIGRATION_FAILED',
      `${req.to} runs ${dst.hypervisorType} ${dst.hypervisorVersion}, older than or different from ${req.from}`,
      false,
    );
  }
  return d;
}
