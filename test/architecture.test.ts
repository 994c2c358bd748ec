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

/** The repository file an import names (`.js` written, `.ts` on disk), or null for a package. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return resolve(dirname(file), spec).replace(/\.js$/, '.ts');
}

/** The import cycles among `all`, each as the files around it (checked with a depth-first search). */
function cycles(all: string[]): string[][] {
  const known = new Set(all);
  const edges = new Map(
    all.map((f) => [
      f,
      imports(f)
        .flatMap((s) => target(f, s) ?? [])
        .filter((t) => known.has(t)),
    ]),
  );
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (state.get(t) === 'open') found.push(stack.slice(stack.indexOf(t)).map((x) => relative(root, x)));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of all) if (!state.has(f)) visit(f);
  return found;
}

describe('architecture: public planner API, one direction, no cycles', () => {
  const production = ['src', 'executor'].flatMap((d) => files(join(root, d)));

  it('outside planner/, production code imports the planner only through planner/index.ts', () => {
    const bad = production.flatMap((f) =>
      imports(f)
        .filter((s) => topOf(f, s) === 'planner' && target(f, s) !== join(root, 'planner/index.ts'))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('nothing in planner/ or executor/ imports src/', () => {
    const lower = ['planner', 'executor'].flatMap((d) => files(join(root, d)));
    const bad = lower.flatMap((f) =>
      imports(f)
        .filter((s) => topOf(f, s) === 'src')
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('no module imports itself back through a cycle (planner, executor, src)', () => {
    expect(cycles([...production, ...files(join(root, 'planner'))])).toEqual([]);
  });
});
