import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventoryFile } from '../../src/inventory/file.js';
import { findJsonSyntaxError } from '../../src/inventory/json-syntax.js';

const dir = mkdtempSync(join(tmpdir(), 'inventory-file-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const host = {
  name: 'h1',
  cell: 'c',
  vcpus: 4,
  memoryMb: 1024,
  diskGb: 10,
  hypervisorType: 'QEMU',
  hypervisorVersion: 1,
  cpuModel: 'x',
};
const inst = { id: 'i1', host: 'h1', status: 'ACTIVE', vcpus: 1, memoryMb: 512, diskGb: 1 };

describe('readInventoryFile', () => {
  it('reads a valid file with defaults applied', async () => {
    const r = await readInventoryFile(file('ok.json', JSON.stringify({ hosts: [host], instances: [inst] })));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.inventory.instances[0]).toMatchObject({ name: 'i1', storage: 'shared', pinned: false });
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.json'), /absent\.json: no such file/],
    ['a directory', () => dir, /is a directory/],
    ['an empty file', () => file('empty.json', ''), /line 1, column 1: expected a value, found end of file/],
    [
      'a trailing comma',
      () => file('comma.json', '{\n  "hosts": [1,],\n  "instances": []\n}'),
      /comma\.json: invalid JSON at line 2, column 15: expected a value, found "\]"/,
    ],
    [
      'a missing comma',
      () => file('nocomma.json', '{\n  "hosts": []\n  "instances": []\n}'),
      /line 3, column 3: expected ',' or '}', found "\\""/,
    ],
    [
      'a truncated document',
      () => file('cut.json', '{"hosts": [{"name": "h'),
      /line 1, column 23: expected a closing '"'/,
    ],
    [
      'a negative size',
      () => file('neg.json', JSON.stringify({ hosts: [{ ...host, vcpus: -2 }], instances: [] })),
      /neg\.json: hosts\[0\]\.vcpus: .*>=0 \(got -2\)/,
    ],
    [
      'a missing field',
      () => file('nofield.json', JSON.stringify({ hosts: [{ ...host, cell: undefined }], instances: [] })),
      /hosts\[0\]\.cell: .* \(missing\)/,
    ],
    [
      'a duplicate instance id',
      () => file('dup.json', JSON.stringify({ hosts: [host], instances: [inst, inst] })),
      /instances\[1\]\.id: duplicate instance id "i1"/,
    ],
    [
      'an instance on an unknown host',
      () => file('unk.json', JSON.stringify({ hosts: [host], instances: [{ ...inst, host: 'h9' }] })),
      /instances\[0\]\.host: unknown host "h9"/,
    ],
  ])('reports %s in one line naming the file', async (_name, path, pattern) => {
    const p = path();
    const r = await readInventoryFile(p);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(
      r.errors.some((e) => pattern.test(e)),
      r.errors.join('\n'),
    ).toBe(true);
    for (const e of r.errors) {
      expect(e.startsWith(`${p}: `)).toBe(true);
      expect(e).not.toContain('\n');
    }
  });

  it('reports every schema problem at once', async () => {
    const r = await readInventoryFile(
      file(
        'many.json',
        JSON.stringify({ hosts: [{ ...host, vcpus: -1, memoryMb: 'x' }], instances: [{ ...inst, status: 'RUNNING' }] }),
      ),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toHaveLength(3);
  });
});

describe('findJsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const t of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '0'])
      expect(findJsonSyntaxError(t)).toBeNull();
  });
  it('points at the first problem', () => {
    expect(findJsonSyntaxError('{"a": 01}')).toMatchObject({ line: 1, column: 8, expected: "',' or '}'" });
    expect(findJsonSyntaxError('{"a": tru}')).toMatchObject({ column: 7, expected: 'a value' });
    expect(findJsonSyntaxError('{} x')).toMatchObject({ column: 4, expected: 'end of file' });
    expect(findJsonSyntaxError("{'a': 1}")).toMatchObject({ column: 2, expected: 'a property name in double quotes' });
  });
});
