/**
 * Builds an inventory snapshot (planner format) from live hypervisors: host facts and domains of
 * every configured host, CPU utilisation from two samples `sampleMs` apart, each running guest's
 * memory dirty rate measured in between (dirty.ts). An unreachable host
 * is never fatal: it is reported with `state: "down"` and no instances (its domains are unknown;
 * nothing can be live-migrated off a host we cannot reach, so planners must not count on them).
 */
import type { Clock } from '../../executor/clock.js';
import { systemClock } from '../../executor/clock.js';
import {
  type DomainFacts,
  type HostConfig,
  type HostFacts,
  type Hypervisor,
  unreachableHostFacts,
} from '../../executor/hypervisor/types.js';
import {
  parseInventory,
  type Instance,
  type InputIssue,
  type Inventory,
  type ServerGroup,
} from '../../planner/index.js';
import { addCpuAnswers, type CpuAnswerCache, type CpuSubject } from './cpu.js';
import { fraction, toHost, toInstance, type HostDoc } from './instance.js';
import { macrotask, mapLimit, withTimeout } from './limit.js';
import { readDirtyRates, startDirtyRates, type DirtyRateOptions } from './dirty.js';

export interface CollectOptions {
  hypervisor: Hypervisor;
  /** Hosts to collect, in configuration order (it breaks ties between duplicate domains). */
  hosts: HostConfig[];
  /**
   * Server groups from configuration. A domain belongs to a group when its metadata names it or
   * the group lists the domain's name or UUID in `members`; metadata naming an unknown group is
   * ignored with a warning. @default []
   */
  serverGroups?: Array<ServerGroup & { members?: string[] }>;
  /** @default systemClock */
  clock?: Clock;
  /** Gap between the two CPU-time samples; 0 takes one sample and leaves `cpuUsage` unknown. @default 1000 */
  sampleMs?: number;
  /**
   * Time over which each running guest's dirty rate is measured, during the CPU sampling gap
   * (the gap lasts the longer of the two); rounded up to whole seconds; 0 skips the measurement
   * and leaves `dirtyRateMbps` unknown. @default 1000
   */
  dirtyRateMs?: number;
  /** Hosts queried at once. @default 8 */
  concurrency?: number;
  /** Budget for one host's facts + domain list; a host slower than this is reported down. @default 15000 */
  hostTimeoutMs?: number;
  /**
   * Answers of the hypervisors' CPU comparisons kept from earlier collections (see cpu.ts);
   * without it every collection asks again. @default none
   */
  cpuCache?: CpuAnswerCache;
  signal?: AbortSignal;
  /** Called for every non-fatal problem (unreachable host, duplicate domain, unknown server group). */
  onWarning?: (warning: CollectWarning) => void;
}

export interface CollectWarning {
  code: 'HOST_UNREACHABLE' | 'DUPLICATE_DOMAIN' | 'UNKNOWN_SERVER_GROUP' | 'CPU_COMPARE_FAILED';
  host: string;
  message: string;
  err?: unknown;
}

/** The collected document failed the inventory schema: a bug in the collector or a driver. */
export class CollectError extends Error {
  override name = 'CollectError';
  readonly code = 'INVALID_INVENTORY';
  constructor(readonly issues: InputIssue[]) {
    super(
      `collected inventory is invalid: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
    );
  }
}

interface Sample {
  at: number;
  facts: HostFacts;
  domains: DomainFacts[];
  /** `domains` by id. */
  byId: Map<string, DomainFacts>;
}

type Outcome = Sample | { error: unknown };

/** Hosts whose domains are turned into instances between turns of the event loop. */
const HOSTS_PER_TURN = 16;

/** The inventory document before validation. */
interface Document {
  hosts: HostDoc[];
  instances: Instance[];
  serverGroups: ServerGroup[];
}

/** Collects the inventory of `hosts`; see the module comment for how down hosts are reported. */
export async function collectInventory(options: CollectOptions): Promise<Inventory> {
  const { hosts, clock = systemClock, sampleMs = 1000, dirtyRateMs = 1000, signal } = options;
  const warn = options.onWarning ?? (() => {});
  const first = await sampleAll(
    options,
    hosts.map(() => true),
  );
  const names = hosts.map((h) => h.name);
  const dirty: DirtyRateOptions = {
    hypervisor: options.hypervisor,
    ms: dirtyRateMs,
    concurrency: options.concurrency ?? 8,
    hostTimeoutMs: options.hostTimeoutMs ?? 15_000,
    signal,
  };
  const started =
    dirtyRateMs > 0
      ? await startDirtyRates(
          dirty,
          names,
          first.map((o) => ('error' in o ? null : o.domains)),
        )
      : null;
  const gap = Math.max(sampleMs, started ? dirtyRateMs : 0);
  if (gap > 0) await clock.sleep(gap, signal);
  const [second, rates] = await Promise.all([
    sampleMs > 0
      ? sampleAll(
          options,
          first.map((o) => !('error' in o)),
        )
      : first,
    started ? readDirtyRates(dirty, names, started) : names.map(() => new Map<string, number>()),
  ]);
  const groups = options.serverGroups ?? [];
  const doc: Document = { hosts: [], instances: [], serverGroups: groups.map(({ id, policy }) => ({ id, policy })) };
  const placed = new Map<string, { rank: number; index: number }>();
  const cpus = new Map<Instance, NonNullable<DomainFacts['guestCpu']>>();
  const libvirtVersions = new Map<string, number>();
  // Building the document is CPU work over every domain: it runs a few hosts per turn of the
  // event loop, so that a large collection never holds it (requests keep being answered).
  for (let k = 0; k < hosts.length; k++) {
    if (k > 0 && k % HOSTS_PER_TURN === 0) {
      await macrotask();
      if (signal?.aborted) throw signal.reason;
    }
    const config = hosts[k];
    const before = first[k];
    const after = second[k];
    if ('error' in after) {
      warn({
        code: 'HOST_UNREACHABLE',
        host: config.name,
        message: `host ${config.name} unreachable: ${describe(after.error)}`,
        err: after.error,
      });
      doc.hosts.push(toHost(config, 'error' in before ? unreachableHostFacts(config.name) : before.facts, false, null));
      continue;
    }
    const prior = 'error' in before || before === after ? null : before;
    doc.hosts.push(toHost(config, after.facts, true, hostUsage(prior, after)));
    if (after.facts.libvirtVersion) libvirtVersions.set(config.name, after.facts.libvirtVersion);
    for (const d of after.domains) {
      const inst = toInstance(config.name, d, domainUsage(prior, after, d), rates[k].get(d.id) ?? null);
      if (d.guestCpu && d.cpuMode !== 'host-passthrough') cpus.set(inst, d.guestCpu);
      addInstance(doc, placed, inst, warn);
    }
  }
  assignMembers(doc, groups);
  const subjects: CpuSubject[] = doc.instances.flatMap((instance) => {
    const cpu = cpus.get(instance);
    return cpu ? [{ instance, cpu }] : [];
  });
  await addCpuAnswers(doc.hosts, subjects, {
    hypervisor: options.hypervisor,
    configs: new Map(hosts.map((h) => [h.name, h])),
    libvirtVersions,
    cache: options.cpuCache,
    concurrency: options.concurrency ?? 8,
    timeoutMs: options.hostTimeoutMs ?? 15_000,
    signal,
    onFailure: (host, err) =>
      warn({
        code: 'CPU_COMPARE_FAILED',
        host,
        message: `CPU comparison on ${host} failed (the model-name rule applies there): ${describe(err)}`,
        err,
      }),
  });
  return validated(doc, new Set(groups.map((g) => g.id)), warn);
}

async function sampleAll(options: CollectOptions, wanted: boolean[]): Promise<Outcome[]> {
  const { hypervisor, hosts, clock = systemClock, concurrency = 8, hostTimeoutMs = 15_000, signal } = options;
  return mapLimit(hosts, concurrency, async (config, k): Promise<Outcome> => {
    if (!wanted[k]) return { error: new Error('unreachable in the first sample') };
    try {
      return await withTimeout(`host ${config.name}`, hostTimeoutMs, signal, async (s) => {
        const facts = await hypervisor.hostFacts(config.name, s);
        if (!facts.reachable) throw new Error('hypervisor reports the host unreachable');
        const domains = await hypervisor.listDomains(config.name, s);
        return { at: clock.now(), facts, domains, byId: new Map(domains.map((d) => [d.id, d])) };
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { error };
    }
  });
}

/** Guest CPU utilisation over the sampling gap, per vCPU; null unless running in both samples. */
function domainUsage(prior: Sample | null, now: Sample, d: DomainFacts): number | null {
  const before = prior?.byId.get(d.id);
  const wallNs = prior ? (now.at - prior.at) * 1e6 : 0;
  if (!before || wallNs <= 0 || d.state !== 'running' || before.state !== 'running') return null;
  const delta = d.cpuTimeNs - before.cpuTimeNs;
  return delta < 0 ? null : fraction(delta / (wallNs * Math.max(1, d.vcpus)));
}

/** Host CPU utilisation: host CPU time when the driver reports it, else the guests' CPU time. */
function hostUsage(prior: Sample | null, now: Sample): number | null {
  const wallNs = prior ? (now.at - prior.at) * 1e6 : 0;
  if (!prior || wallNs <= 0 || now.facts.cpus <= 0) return null;
  const capacity = wallNs * now.facts.cpus;
  if (now.facts.cpuTimeNs !== null && prior.facts.cpuTimeNs !== null) {
    const delta = now.facts.cpuTimeNs - prior.facts.cpuTimeNs;
    return delta < 0 ? null : fraction(delta / capacity);
  }
  let busy = 0;
  for (const d of now.domains) {
    const before = prior.byId.get(d.id);
    if (before && d.cpuTimeNs >= before.cpuTimeNs) busy += d.cpuTimeNs - before.cpuTimeNs;
  }
  return fraction(busy / capacity);
}

/** Lower rank wins when one domain is seen on several hosts (mid-migration, leftover definitions). */
const RANK: Record<Instance['status'], number> = { ACTIVE: 0, PAUSED: 1, SHUTOFF: 2 };

function addInstance(
  doc: Document,
  placed: Map<string, { rank: number; index: number }>,
  inst: Instance,
  warn: (w: CollectWarning) => void,
): void {
  const rank = RANK[inst.status];
  const seen = placed.get(inst.id);
  if (seen) {
    const other = doc.instances[seen.index];
    const keep = rank < seen.rank ? inst : other;
    warn({
      code: 'DUPLICATE_DOMAIN',
      host: inst.host,
      message:
        `domain ${inst.name} (${inst.id}) is defined on ${other.host} (${other.status}) and ${inst.host} ` +
        `(${inst.status}); using ${keep.host}`,
    });
    if (rank < seen.rank) {
      doc.instances[seen.index] = inst;
      placed.set(inst.id, { rank, index: seen.index });
    }
    return;
  }
  placed.set(inst.id, { rank, index: doc.instances.length });
  doc.instances.push(inst);
}

/** Configured membership applies when the domain's own metadata names no group. */
function assignMembers(doc: Document, groups: NonNullable<CollectOptions['serverGroups']>): void {
  const byMember = new Map<string, string>();
  for (const g of groups) for (const m of g.members ?? []) byMember.set(m, g.id);
  for (const inst of doc.instances) inst.serverGroup ??= byMember.get(inst.id) ?? byMember.get(inst.name) ?? null;
}

function validated(doc: Document, groups: Set<string>, warn: (w: CollectWarning) => void): Inventory {
  for (const inst of doc.instances) {
    if (inst.serverGroup && !groups.has(inst.serverGroup)) {
      warn({
        code: 'UNKNOWN_SERVER_GROUP',
        host: inst.host,
        message: `domain ${inst.name} names server group "${inst.serverGroup}", which is not configured; ignoring it`,
      });
      inst.serverGroup = null;
    }
  }
  const parsed = parseInventory(doc, { adopt: true }); // the document was built here and is not used again
  if (!parsed.ok) throw new CollectError(parsed.issues);
  return parsed.inventory;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
