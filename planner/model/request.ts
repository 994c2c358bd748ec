/**
 * Validation of a plan request against an inventory, shared by the CLI and the HTTP API so both
 * report the same problems in the same words. Pure. Every problem is reported, not only the first.
 */
import type { InputIssue, Inventory } from './inventory.js';

/**
 * A request as it arrives from a user (CLI options, query string, JSON body): fields are not
 * trusted yet. `cells` limits a balance to those cells; for a drain it states which cell the
 * hosts are expected to be in (a guard against draining the wrong host).
 */
export interface RequestInput {
  goal: 'drain' | 'balance' | 'maintenance';
  hosts?: unknown;
  cells?: unknown;
  threshold?: unknown;
  maxMoves?: unknown;
  /** Maintenance: most hosts of one cell out of service at once. */
  maxUnavailable?: unknown;
}

/** Renders a received value for a message: strings quoted, everything else as JSON. */
function shown(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Levenshtein distance, bounded: stops early once every path exceeds `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (cur[j] < best) best = cur[j];
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Up to three known names close to `name` (case-insensitive, edit distance <= 2 or a substring). */
export function nearNames(name: string, known: Iterable<string>): string[] {
  const lower = name.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const k of known) {
    const kl = k.toLowerCase();
    const d = distance(lower, kl, 2);
    // Substring matches rank after close spellings.
    if (d <= 2) scored.push([d, k]);
    else if (lower.length >= 3 && (kl.includes(lower) || lower.includes(kl))) scored.push([3, k]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, 3).map(([, k]) => k);
}

function unknownMessage(kind: string, name: string, known: Iterable<string>): string {
  const near = nearNames(name, known);
  const hint = near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '';
  return `unknown ${kind} "${name}": expected the name of a ${kind} in the inventory${hint}`;
}

function stringList(path: string, value: unknown, issues: InputIssue[]): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string' && v.length > 0) out.push(v);
    else issues.push({ path, message: `expected a non-empty name, got ${shown(v)}` });
  }
  return out;
}

function checkCells(cells: string[], known: Set<string>, issues: InputIssue[]): void {
  for (const c of cells) if (!known.has(c)) issues.push({ path: 'cell', message: unknownMessage('cell', c, known) });
}

const quoted = (names: string[]) => names.map((c) => `"${c}"`).join(', ');

interface Names {
  byName: Map<string, Inventory['hosts'][number]>;
  cells: Set<string>;
}
const namesCache = new WeakMap<Inventory, Names>();

/**
 * Hosts by name and the cells of a snapshot, built once per inventory object (like the planner's
 * other per-snapshot indexes, this assumes an inventory is not changed in place once checked).
 */
function namesOf(inventory: Inventory): Names {
  let names = namesCache.get(inventory);
  if (!names) {
    names = {
      byName: new Map(inventory.hosts.map((h) => [h.name, h])),
      cells: new Set(inventory.hosts.map((h) => h.cell)),
    };
    namesCache.set(inventory, names);
  }
  return names;
}

function checkHosts(inventory: Inventory, hosts: string[], cells: string[], issues: InputIssue[]): void {
  const { byName } = namesOf(inventory);
  const seen = new Set<string>();
  for (const name of hosts) {
    if (seen.has(name)) {
      issues.push({ path: 'host', message: `duplicate host "${name}": expected each host once` });
      continue;
    }
    seen.add(name);
    const h = byName.get(name);
    if (!h) issues.push({ path: 'host', message: unknownMessage('host', name, byName.keys()) });
    else if (cells.length && !cells.includes(h.cell)) {
      issues.push({
        path: 'host',
        message: `host "${name}" is in cell "${h.cell}", not in the requested cell ${quoted(cells)}`,
      });
    }
  }
}

function checkNumbers(request: RequestInput, issues: InputIssue[]): void {
  const t = request.threshold;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t >= 0 && t <= 1)) {
    issues.push({ path: 'threshold', message: `expected a number between 0 and 1, got ${shown(t)}` });
  }
  const u = request.maxUnavailable;
  if (u !== undefined && !(typeof u === 'number' && Number.isInteger(u) && u >= 1)) {
    issues.push({ path: 'maxUnavailable', message: `expected a positive integer, got ${shown(u)}` });
  }
  const m = request.maxMoves;
  if (m !== undefined && !(typeof m === 'number' && Number.isInteger(m) && m >= 0)) {
    issues.push({ path: 'maxMoves', message: `expected a non-negative integer, got ${shown(m)}` });
  }
}

/** A campaign names hosts or cells (not both), and a named cell has at least one enabled, up host. */
function checkCampaignTarget(inventory: Inventory, hosts: string[], cells: string[], issues: InputIssue[]): void {
  if (hosts.length && cells.length) {
    issues.push({ path: 'host', message: 'expected hosts or cells to patch, not both' });
    return;
  }
  if (!hosts.length && !cells.length && !issues.some((i) => i.path === 'host' || i.path === 'cell')) {
    issues.push({ path: 'host', message: 'expected at least one host or cell to patch, got none' });
  }
  for (const c of new Set(cells)) {
    const inCell = inventory.hosts.filter((h) => h.cell === c);
    if (inCell.length && !inCell.some((h) => h.enabled && h.state === 'up'))
      issues.push({ path: 'cell', message: `cell "${c}" has no enabled, up host to patch` });
  }
}

/**
 * Checks a request against the inventory: host names exist (suggesting near names), no host
 * twice, a drain names at least one host, cells exist, drained hosts lie in the requested cells
 * when both are given, `threshold` in [0, 1], `maxMoves` a non-negative integer; a maintenance
 * campaign names hosts or cells (not both) and `maxUnavailable` is a positive integer. Returns every
 * issue; an empty list means the request can be planned. `path` is the parameter name.
 */
export function validateRequest(inventory: Inventory, request: RequestInput): InputIssue[] {
  const issues: InputIssue[] = [];
  const knownCells = namesOf(inventory).cells;
  const cells = stringList('cell', request.cells, issues);
  const hosts = stringList('host', request.hosts, issues);
  checkCells(cells, knownCells, issues);
  if (request.goal === 'drain' && hosts.length === 0 && !issues.some((i) => i.path === 'host')) {
    issues.push({ path: 'host', message: 'expected at least one host to drain, got none' });
  }
  if (request.goal === 'maintenance') checkCampaignTarget(inventory, hosts, cells, issues);
  checkHosts(inventory, hosts, request.goal === 'maintenance' ? [] : cells.filter((c) => knownCells.has(c)), issues);
  checkNumbers(request, issues);
  return issues;
}
