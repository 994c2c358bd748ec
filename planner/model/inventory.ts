/**
 * The inventory snapshot (shared contract, see README "Formats"): schema, defaults and the
 * normalised types the rest of the planner works on. Pure: no I/O.
 */
import { z } from 'zod';
import { compileFastParser } from './fast-schema.js';

const nonNegInt = z.number().int().nonnegative();
const nonNeg = z.number().nonnegative();
const positive = z.number().positive();
const fraction = z.number().min(0).max(1);

export const HostSchema = z.object({
  name: z.string().min(1),
  cell: z.string().min(1),
  zone: z.string().min(1).nullable().optional(),
  enabled: z.boolean().default(true),
  state: z.enum(['up', 'down']).default('up'),
  vcpus: nonNegInt,
  memoryMb: nonNeg,
  diskGb: nonNeg,
  cpuAllocationRatio: positive.default(1),
  ramAllocationRatio: positive.default(1),
  diskAllocationRatio: positive.default(1),
  reservedVcpus: nonNegInt.default(0),
  reservedMemoryMb: nonNeg.default(0),
  reservedDiskGb: nonNeg.default(0),
  hypervisorType: z.string().min(1),
  hypervisorVersion: nonNegInt,
  cpuModel: z.string().min(1),
  compatibleCpuModels: z.array(z.string().min(1)).optional(),
  cpuUsage: fraction.nullable().optional(),
  migrationBandwidthMbps: positive.optional(),
});

export const InstanceSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  host: z.string().min(1),
  status: z.enum(['ACTIVE', 'PAUSED', 'SHUTOFF']),
  vcpus: z.number().int().positive(),
  memoryMb: positive,
  diskGb: nonNeg,
  storage: z.enum(['shared', 'local', 'volume']).default('shared'),
  configDrive: z.boolean().default(false),
  cdrom: z.boolean().default(false),
  cpuMode: z.enum(['host-model', 'host-passthrough', 'custom']).default('host-model'),
  cpuModel: z.string().min(1).nullable().optional(),
  serverGroup: z.string().min(1).nullable().optional(),
  cpuUsage: fraction.nullable().optional(),
  dirtyRateMbps: nonNeg.nullable().optional(),
  pinned: z.boolean().default(false),
  cpuCompatibleHosts: z.array(z.string().min(1)).nullable().optional(),
  cpuRefusals: z.array(z.object({ host: z.string().min(1), reason: z.string() })).optional(),
});

export const ServerGroupSchema = z.object({
  id: z.string().min(1),
  policy: z.enum(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']),
});

export const InventorySchema = z.object({
  hosts: z.array(HostSchema),
  instances: z.array(InstanceSchema),
  serverGroups: z.array(ServerGroupSchema).default([]),
});

/** A host with every default applied. */
export interface Host {
  name: string;
  cell: string;
  zone: string | null;
  enabled: boolean;
  state: 'up' | 'down';
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  cpuAllocationRatio: number;
  ramAllocationRatio: number;
  diskAllocationRatio: number;
  reservedVcpus: number;
  reservedMemoryMb: number;
  reservedDiskGb: number;
  hypervisorType: string;
  hypervisorVersion: number;
  cpuModel: string;
  compatibleCpuModels: string[];
  /** Measured host CPU utilisation 0..1; null when unknown. */
  cpuUsage: number | null;
  /** Migration network bandwidth; null when unknown (the planner then assumes 10 Gbit/s). */
  migrationBandwidthMbps: number | null;
}

export type Storage = 'shared' | 'local' | 'volume';
export type CpuMode = 'host-model' | 'host-passthrough' | 'custom';

/** An instance with every default applied. */
export interface Instance {
  id: string;
  name: string;
  host: string;
  status: 'ACTIVE' | 'PAUSED' | 'SHUTOFF';
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  storage: Storage;
  configDrive: boolean;
  cdrom: boolean;
  cpuMode: CpuMode;
  cpuModel: string | null;
  serverGroup: string | null;
  /** Measured CPU utilisation of the instance's own vCPUs 0..1; null when unknown. */
  cpuUsage: number | null;
  dirtyRateMbps: number | null;
  pinned: boolean;
  /**
   * Hosts whose hypervisor reported that it can run this instance's guest CPU (custom, or
   * host-model as its host expands it), asked during collection. When present it replaces the
   * model-name rule for custom and host-model instances; absent or null: not asked.
   */
  cpuCompatibleHosts?: string[] | null;
  /** Why hosts asked about the guest CPU refused it (for messages only). */
  cpuRefusals?: { host: string; reason: string }[];
}

export type ServerGroupPolicy = 'anti-affinity' | 'affinity' | 'soft-anti-affinity' | 'soft-affinity';
export interface ServerGroup {
  id: string;
  policy: ServerGroupPolicy;
}

export interface Inventory {
  hosts: Host[];
  instances: Instance[];
  serverGroups: ServerGroup[];
}

/** One problem found in an input document: JSON path (e.g. `hosts[3].vcpus`) and what was expected. */
export interface InputIssue {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; inventory: Inventory } | { ok: false; issues: InputIssue[] };

/** Formats a zod path as `hosts[3].vcpus`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

type RawInventory = z.output<typeof InventorySchema>;

/** Accept valid documents without zod's bookkeeping; declined ones go to zod for its report. */
const fastCopy = compileFastParser(InventorySchema);
const fastInPlace = compileFastParser(InventorySchema, { inPlace: true });

export interface ParseOptions {
  /**
   * The caller hands the document over (it just parsed it and keeps no other reference): it is
   * validated and completed in place instead of copied, and becomes the returned inventory.
   * @default false
   */
  adopt?: boolean;
}

function schemaPass(
  doc: unknown,
  options: ParseOptions,
): { ok: true; raw: RawInventory } | { ok: false; issues: InputIssue[] } {
  const fast = (options.adopt ? fastInPlace : fastCopy)(doc);
  if (fast) return { ok: true, raw: fast };
  const parsed = InventorySchema.safeParse(doc);
  if (parsed.success) return { ok: true, raw: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

function crossReferences(raw: RawInventory): InputIssue[] {
  const issues: InputIssue[] = [];
  const hostIndex = new Map<string, number>();
  raw.hosts.forEach((h, k) => {
    if (hostIndex.has(h.name))
      issues.push({
        path: `hosts[${k}].name`,
        message: `duplicate host name "${h.name}" (also hosts[${hostIndex.get(h.name)}])`,
      });
    else hostIndex.set(h.name, k);
  });
  const groups = new Map<string, number>();
  raw.serverGroups.forEach((g, k) => {
    if (groups.has(g.id))
      issues.push({ path: `serverGroups[${k}].id`, message: `duplicate server group id "${g.id}"` });
    else groups.set(g.id, k);
  });
  // 100k instances on a region: a plain loop and a Set (the first index is looked up only for a duplicate)
  const ids = new Set<string>();
  const list = raw.instances;
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    if (ids.has(i.id))
      issues.push({
        path: `instances[${k}].id`,
        message: `duplicate instance id "${i.id}" (also instances[${list.findIndex((x) => x.id === i.id)}])`,
      });
    else ids.add(i.id);
    if (!hostIndex.has(i.host))
      issues.push({
        path: `instances[${k}].host`,
        message: `unknown host "${i.host}": expected the name of a host in "hosts"`,
      });
    if (i.serverGroup && !groups.has(i.serverGroup))
      issues.push({
        path: `instances[${k}].serverGroup`,
        message: `unknown server group "${i.serverGroup}": expected an id from "serverGroups"`,
      });
    if (i.cpuMode === 'custom' && !i.cpuModel)
      issues.push({ path: `instances[${k}].cpuModel`, message: 'expected a CPU model name for cpuMode "custom"' });
  }
  return issues;
}

/**
 * Applies the remaining defaults in place: `raw` is the schema pass's output (zod's or the fast
 * pass's copy, or an adopted document), so no second copy of 100k instances is made.
 */
function normalise(raw: RawInventory): Inventory {
  // Each object becomes a Host / Instance once its optional fields are filled in below.
  for (const host of raw.hosts as Partial<Host>[]) {
    host.zone ??= null;
    host.compatibleCpuModels ??= [host.cpuModel as string];
    host.cpuUsage ??= null;
    host.migrationBandwidthMbps ??= null;
  }
  for (const inst of raw.instances as Partial<Instance>[]) {
    inst.name ??= inst.id;
    inst.cpuModel ??= null;
    inst.serverGroup ??= null;
    inst.cpuUsage ??= null;
    inst.dirtyRateMbps ??= null;
  }
  return raw as Inventory;
}

/**
 * Validates an inventory document: the schema, then cross-references (unique host names and
 * instance ids, instances on known hosts, known server groups, custom CPU mode has a model).
 * Every problem is reported, not only the first.
 */
export function parseInventory(doc: unknown, options: ParseOptions = {}): ParseResult {
  const pass = schemaPass(doc, options);
  if (!pass.ok) return pass;
  const issues = crossReferences(pass.raw);
  if (issues.length) return { ok: false, issues };
  return { ok: true, inventory: normalise(pass.raw) };
}
