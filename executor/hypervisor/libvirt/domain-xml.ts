/**
 * Pure parsing of libvirt domain and capabilities XML into the facts the planner needs.
 * Disk sizes are not in the XML: the caller fills `sizeGb` from virDomainGetBlockInfo.
 */
import { XMLParser } from 'fast-xml-parser';
import type { DiskFacts, DomainFacts, GuestCpu } from '../types.js';

/** Namespace of this product's domain metadata element. */
export const METADATA_NS = 'https://rebalancer.dev/xmlns/1';

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'disk',
});

export interface ParseOptions {
  /** Directories on storage every host sees (NFS, Ceph FS...): files below them are `shared`. */
  sharedPaths?: string[];
}

/** What the domain XML tells; state and cpu time come from virDomainGetInfo. */
export type DomainXmlFacts = Omit<DomainFacts, 'state' | 'cpuTimeNs'>;

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return text((v as Node)['#text']);
  return String(v);
}

/** Memory element in MiB, honouring its unit attribute (libvirt's default unit is KiB). */
function mib(v: unknown): number {
  const value = Number(text(v) ?? 0);
  const unit = (typeof v === 'object' && v ? String((v as Node)['@unit'] ?? 'KiB') : 'KiB').toLowerCase();
  const factor: Record<string, number> = {
    b: 1 / 1048576,
    bytes: 1 / 1048576,
    k: 1 / 1024,
    kib: 1 / 1024,
    kb: 1000 / 1048576,
    m: 1,
    mib: 1,
    mb: 1e6 / 1048576,
    g: 1024,
    gib: 1024,
    gb: 1e9 / 1048576,
  };
  return Math.round(value * (factor[unit] ?? 1 / 1024));
}

function underShared(path: string, shared: string[]): boolean {
  return shared.some((dir) => {
    const d = dir.endsWith('/') ? dir : `${dir}/`;
    return path.startsWith(d);
  });
}

function diskFacts(d: Node, shared: string[]): DiskFacts & { configDrive: boolean } {
  const type = String(d['@type'] ?? 'file');
  const source = (d.source ?? {}) as Node;
  const path = (source['@file'] ?? source['@dev'] ?? source['@name'] ?? source['@volume'] ?? null) as string | null;
  const device = String(d['@device'] ?? 'disk');
  let storage: DiskFacts['storage'] = 'local';
  if (type === 'network' || type === 'block') storage = 'volume';
  else if (type === 'file' && path && underShared(path, shared)) storage = 'shared';
  const base = path ? path.split('/').pop()! : '';
  // OpenStack-style config drive: disk.config image, or an ISO/vfat image labelled config-2
  const configDrive = base.includes('disk.config') || /config-2|configdrive/i.test(base);
  return {
    target: String(((d.target ?? {}) as Node)['@dev'] ?? ''),
    source: path,
    storage,
    device: device === 'cdrom' || device === 'floppy' ? device : 'disk',
    readonly: 'readonly' in d,
    sizeGb: 0,
    configDrive,
  };
}

/** Reads `<metadata><x:placement xmlns:x="METADATA_NS"><x:serverGroup/><x:pinned/></x:placement>`. */
function placement(metadata: unknown): { serverGroup: string | null; pinned: boolean } {
  for (const [key, value] of Object.entries((metadata ?? {}) as Node)) {
    if (key.startsWith('@') || typeof value !== 'object' || value === null) continue;
    const el = value as Node;
    const prefix = key.includes(':') ? key.slice(0, key.indexOf(':')) : '';
    if (el[prefix ? `@xmlns:${prefix}` : '@xmlns'] !== METADATA_NS) continue;
    const child = (name: string) => text(el[prefix ? `${prefix}:${name}` : name]);
    const group = child('serverGroup')?.trim();
    return { serverGroup: group ? group : null, pinned: child('pinned')?.trim() === 'true' };
  }
  return { serverGroup: null, pinned: false };
}

/** Parses a domain's XML description. */
export function parseDomainXml(xml: string, options: ParseOptions = {}): DomainXmlFacts {
  const dom = (parser.parse(xml) as Node).domain as Node | undefined;
  if (!dom) throw new Error(`not a domain XML document: ${xml.slice(0, 80)}`);
  const disks = (((dom.devices ?? {}) as Node).disk ?? []) as Node[];
  const parsed = disks.map((d) => diskFacts(d, options.sharedPaths ?? []));
  const cpu = (dom.cpu ?? {}) as Node;
  const mode = String(cpu['@mode'] ?? 'custom');
  const meta = placement(dom.metadata);
  return {
    id: String(text(dom.uuid)),
    name: String(text(dom.name)),
    vcpus: Number(text(dom.vcpu) ?? 1),
    memoryMb: mib(dom.memory),
    disks: parsed.map(({ configDrive: _c, ...disk }) => disk),
    configDrive: parsed.some((d) => d.configDrive),
    cdrom: parsed.some((d) => d.device === 'cdrom' && d.source !== null && !d.configDrive),
    cpuMode: mode === 'host-model' || mode === 'host-passthrough' ? mode : 'custom',
    cpuModel: text(cpu.model),
    serverGroup: meta.serverGroup,
    pinned: meta.pinned,
    guestCpu: guestCpuOf(xml, dom, mode),
    virtType: String(dom['@type'] ?? 'kvm'),
  };
}

/**
 * The guest CPU as the domain XML states it, for comparison on other hosts: the `<cpu>` element
 * of a custom model (a running domain's live XML holds the features libvirt settled on), or of a
 * host-model whose expansion is present (then stated as custom). Null for host-passthrough, which
 * keeps the strict model rule, and for a host-model not expanded yet (the caller expands it).
 */
function guestCpuOf(xml: string, dom: Node, mode: string): GuestCpu | null {
  if (mode === 'host-passthrough' || mode === 'maximum') return null;
  const element = /<cpu\b[^>]*?(?:\/>|>[\s\S]*?<\/cpu>)/.exec(xml)?.[0];
  if (!element || !/<model\b/.test(element)) return null;
  const os = ((dom.os ?? {}) as Node).type;
  const arch = typeof os === 'object' && os ? ((os as Node)['@arch'] as string | undefined) : undefined;
  return {
    xml: element.replace(/\bmode=(['"])host-model\1/, "mode='custom'"),
    virtType: String(dom['@type'] ?? 'kvm'),
    arch: arch ?? null,
  };
}

/**
 * The host-model CPU of a host's domain capabilities XML as a custom `<cpu>` element (what a
 * host-model guest started there is given), or null when the host offers none.
 */
export function hostModelCpu(domainCapabilitiesXml: string): string | null {
  const mode = /<mode\s+name=(['"])host-model\1[^>]*supported=(['"])yes\2[^>]*>([\s\S]*?)<\/mode>/.exec(
    domainCapabilitiesXml,
  );
  if (!mode || !/<model\b/.test(mode[3])) return null;
  return `<cpu mode='custom' match='exact'>${mode[3]}</cpu>`;
}

/** The host CPU model from capabilities XML (`<host><cpu><model>`). */
export function parseHostCpuModel(capabilitiesXml: string): string {
  const caps = (parser.parse(capabilitiesXml) as Node).capabilities as Node | undefined;
  const cpu = (((caps?.host ?? {}) as Node).cpu ?? {}) as Node;
  return text(cpu.model) ?? 'unknown';
}
