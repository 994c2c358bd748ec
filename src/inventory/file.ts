/**
 * Reads an inventory snapshot from a JSON file. Bad input is an expected outcome, so this never
 * throws for it: every problem comes back as one line naming the file, where in it, and what was
 * expected (missing file, unreadable file, broken JSON with line and column, schema issues).
 */
import { readFile } from 'node:fs/promises';
import { parseInventory, type Inventory } from '../../planner/index.js';
import { findJsonSyntaxError } from './json-syntax.js';

export type InventoryFileResult = { ok: true; inventory: Inventory } | { ok: false; errors: string[] };

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file: expected a path to an inventory JSON file',
  EISDIR: 'is a directory: expected an inventory JSON file',
  EACCES: 'permission denied: expected a readable file',
  EPERM: 'permission denied: expected a readable file',
};

/** The value at a formatted path such as `hosts[3].vcpus`, or undefined. */
function valueAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** ` (got X)` for a scalar the message does not quote already. */
function received(doc: unknown, path: string, message: string): string {
  if (path === '(root)') return '';
  const v = valueAt(doc, path);
  if (v === undefined) return ' (missing)';
  const text = JSON.stringify(v);
  if (text === undefined || (typeof v === 'object' && v !== null) || message.includes(text)) return '';
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

/** Parses JSON text; on failure returns the error as `line L, column C: expected X, found Y`. */
function parseJson(text: string): { ok: true; doc: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch (err) {
    const where = findJsonSyntaxError(text);
    if (!where) return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
    return {
      ok: false,
      error:
        `invalid JSON at line ${where.line}, column ${where.column}: ` +
        `expected ${where.expected}, found ${where.found}`,
    };
  }
}

export async function readInventoryFile(path: string): Promise<InventoryFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return {
      ok: false,
      errors: [`${path}: ${READ_ERRORS[code] ?? `cannot read (${code || (err as Error).message})`}`],
    };
  }
  const json = parseJson(text.replace(/^\uFEFF/, ''));
  if (!json.ok) return { ok: false, errors: [`${path}: ${json.error}`] };
  const parsed = parseInventory(json.doc, { adopt: true });
  if (!parsed.ok) {
    return {
      ok: false,
      errors: parsed.issues.map((i) => `${path}: ${i.path}: ${i.message}${received(json.doc, i.path, i.message)}`),
    };
  }
  return { ok: true, inventory: parsed.inventory };
}
