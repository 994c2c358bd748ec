/**
 * Dependency rules: src -> executor -> planner, src -> planner; planner imports nothing from the
 * repository and stays pure; nothing imports src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specs.map((m) => m[1] ?? m[2]);
}

function topOf(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(root, resolve(dirname(file), spec)).split('/')[0];
}

describe('architecture', () => {
  it('planner imports nothing from the repository outside planner/ and does no I/O', () => {
    for (const f of files(join(root, 'planner'))) {
      for (const spec of imports(f)) {
        const top = topOf(f, spec);
        if (top !== null) expect(top, `${relative(root, f)} imports ${spec}`).toBe('planner');
        else
          expect(spec, `${relative(root, f)} imports ${spec}`).not.toMatch(
            /^(node:|fs|path|child_process|pino|better-sqlite3|express|libvirt)/,
          );
      }
      const text = readFileSync(f, 'utf8');
      expect(text, `${relative(root, f)} reads the clock or unseeded randomness`).not.toMatch(
        /Date\.now\(|new Date\(|Math\.random\(|console\./,
      );
    }
  });

  it('executor imports only planner/ from the repository', () => {
    for (const f of files(join(root, 'executor'))) {
      for (const spec of imports(f)) {
        const top = topOf(f, spec);
        if (top !== null) expect(['executor', 'planner'], `${relative(root, f)} imports ${spec}`).toContain(top);
      }
    }
  });
});
