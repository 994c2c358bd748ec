/**
 * Style rules the formatter cannot enforce: no source line outside test/ is longer than 120
 * characters (Biome wraps code at 120 but leaves long comments and string literals alone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const MAX_LINE = 120;
const SOURCE = /\.(ts|js|mjs)$/;
/** Not product source: tests, installed packages, build output, the lab's runtime state. */
const SKIP = new Set(['test', 'node_modules', 'dist', 'coverage', 'data', 'tmp']);
/** The libvirt binding's build: the npm package's own sources, patched (git-ignored). */
const SKIP_PATHS = new Set([join(root, 'packages/libvirt-binding/libvirt')]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || (dir === root && SKIP.has(entry.name)) || SKIP_PATHS.has(p)) return [];
      return sourceFiles(p);
    }
    return entry.isFile() && SOURCE.test(entry.name) ? [p] : [];
  });
}

function longLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, k) => (line.length > MAX_LINE ? [`${relative(root, file)}:${k + 1} (${line.length})`] : []));
}

describe('style', () => {
  it('finds the source files it checks', () => {
    const names = sourceFiles(root).map((f) => relative(root, f));
    expect(names).toContain('planner/index.ts');
    expect(names).toContain('src/cli/main.ts');
    expect(names).toContain('packages/libvirt-binding/build.mjs');
    expect(names.some((n) => n.startsWith('test/'))).toBe(false);
  });

  it(`no non-test source line is longer than ${MAX_LINE} characters`, () => {
    expect(sourceFiles(root).flatMap(longLines)).toEqual([]);
  });

  it('reports a line over the limit with its file and line number', () => {
    const file = join(root, 'test', 'fixtures', 'style', 'long-line.txt');
    expect(longLines(file)).toEqual(['test/fixtures/style/long-line.txt:3 (121)']);
  });
});
