/**
 * The CPU rule of a placement. `host-passthrough` guests see their host's exact CPU: the
 * destination must list the source host's model in `compatibleCpuModels`. Custom and host-model
 * guests: when the inventory says which hosts their hypervisors accept (`cpuCompatibleHosts`,
 * asked during collection) that list decides; otherwise the model-name rule applies (their own
 * model for custom, the source host's model for host-model).
 */
import type { ClusterView } from './view.js';

/** Why instance `i` cannot run on host `h` coming from a host whose CPU model is `sourceModel`; null when it can. */
export function cpuRefusal(view: ClusterView, i: number, h: number, sourceModel: string): string | null {
  const inst = view.instances[i];
  const host = view.hosts[h];
  const accepted = view.cpuHosts[i];
  if (inst.cpuMode !== 'host-passthrough' && accepted) {
    if (accepted.has(host.name)) return null;
    const why = inst.cpuRefusals?.find((r) => r.host === host.name)?.reason ?? 'not asked (other cell or unreachable)';
    const model = inst.cpuModel ?? sourceModel;
    return `${host.name} cannot run the guest CPU of ${inst.name} (${inst.cpuMode} ${model}): ${why}`;
  }
  const needed = inst.cpuMode === 'custom' ? inst.cpuModel! : sourceModel;
  if (view.cpuModels[h].has(needed)) return null;
  const offers = host.compatibleCpuModels.join(', ');
  return `${host.name} cannot run CPU model ${needed} (${inst.cpuMode}); it offers ${offers}`;
}
