/**
 * CPU compatibility from the hypervisors themselves. For each distinct guest CPU definition
 * (custom model with its features, host-model as its host expands it) and each candidate host of
 * the instance's cell, the candidate's hypervisor is asked whether it can run it; answers are
 * cached by (definition digest, host, libvirt and hypervisor versions). The result is written to
 * each instance as `cpuCompatibleHosts` (and `cpuRefusals`), which the planner and the verifier
 * use instead of the model-name rule. A host whose operator lists `compatibleCpuModels` is kept
 * only when the model is in that list too: configuration can narrow the answers, never widen them.
 * A host that cannot answer (no comparison call, error) falls back to the model-name rule.
 */
import { createHash } from 'node:crypto';
import type { CpuVerdict, GuestCpu, HostConfig, Hypervisor } from '../../executor/hypervisor/types.js';
import type { Instance } from '../../planner/index.js';
import type { HostDoc } from './instance.js';
import { mapLimit, withTimeout } from './limit.js';

/** Answers kept between collections; keys hold the host's versions, so an upgrade asks again. */
export type CpuAnswerCache = Map<string, CpuVerdict>;

export interface CpuAnswerOptions {
  hypervisor: Hypervisor;
  configs: ReadonlyMap<string, HostConfig>;
  /** libvirt version per host name, when known (part of the cache key). */
  libvirtVersions: ReadonlyMap<string, number>;
  cache?: CpuAnswerCache;
  concurrency: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onFailure: (host: string, err: unknown) => void;
}

/** An instance with the guest CPU its host reported. */
export interface CpuSubject {
  instance: Instance;
  cpu: GuestCpu;
}

export function cpuDigest(cpu: GuestCpu): string {
  const text = `${cpu.virtType}\n${cpu.arch ?? ''}\n${cpu.xml.replace(/\s+/g, ' ').trim()}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Sets `cpuCompatibleHosts` / `cpuRefusals` on every subject; a no-op when the driver cannot compare. */
export async function addCpuAnswers(hosts: HostDoc[], subjects: CpuSubject[], o: CpuAnswerOptions): Promise<void> {
  if (!o.hypervisor.compareCpu || subjects.length === 0) return;
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const candidates = (inst: Instance) =>
    hosts.filter((h) => h.state === 'up' && h.name !== inst.host && h.cell === byName.get(inst.host)?.cell);
  const questions = new Map<string, { host: HostDoc; cpu: GuestCpu }>();
  const keyOf = (digest: string, h: HostDoc) =>
    `${digest}|${h.name}|${o.libvirtVersions.get(h.name) ?? '?'}|${h.hypervisorType} ${h.hypervisorVersion}`;
  const plan = subjects.map((s) => {
    const digest = cpuDigest(s.cpu);
    return candidates(s.instance).map((h) => {
      const key = keyOf(digest, h);
      if (!o.cache?.has(key)) questions.set(key, { host: h, cpu: s.cpu });
      return { host: h, key };
    });
  });
  const answers = new Map<string, CpuVerdict | null>();
  await mapLimit([...questions], o.concurrency, async ([key, q]) => {
    answers.set(key, await ask(o, q.host.name, q.cpu));
  });
  subjects.forEach((s, k) => {
    const compatible: string[] = [];
    const refusals: { host: string; reason: string }[] = [];
    for (const { host, key } of plan[k]) {
      const verdict = o.cache?.get(key) ?? answers.get(key) ?? null;
      if (verdict && o.cache) o.cache.set(key, verdict);
      const why = refusal(s.instance, byName.get(s.instance.host)!, host, o.configs.get(host.name), verdict);
      if (why === null) compatible.push(host.name);
      else refusals.push({ host: host.name, reason: why });
    }
    s.instance.cpuCompatibleHosts = compatible;
    if (refusals.length > 0) s.instance.cpuRefusals = refusals;
  });
}

async function ask(o: CpuAnswerOptions, host: string, cpu: GuestCpu): Promise<CpuVerdict | null> {
  try {
    return await withTimeout(`CPU comparison on ${host}`, o.timeoutMs, o.signal, (s) =>
      o.hypervisor.compareCpu!(host, cpu, s),
    );
  } catch (err) {
    if (o.signal?.aborted) throw o.signal.reason;
    o.onFailure(host, err);
    return null;
  }
}

/** Why `host` may not run the instance's CPU; null when it may. `verdict` null: the host could not answer. */
function refusal(
  inst: Instance,
  source: HostDoc,
  host: HostDoc,
  config: HostConfig | undefined,
  verdict: CpuVerdict | null,
): string | null {
  if (verdict && !verdict.compatible) return `its hypervisor refuses it: ${verdict.reason ?? 'incompatible'}`;
  const model = inst.cpuMode === 'custom' ? (inst.cpuModel ?? '') : source.cpuModel;
  const listed = config?.compatibleCpuModels;
  if (verdict && !listed?.length) return null;
  const known = [host.cpuModel, ...(listed ?? [])];
  if (known.includes(model)) return null;
  return verdict
    ? `${model} is not in the compatibleCpuModels configured for ${host.name} (${known.join(', ')})`
    : `its hypervisor could not be asked and ${model} is not among its CPU models (${known.join(', ')})`;
}
