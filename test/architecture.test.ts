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

/**
 * The planner's functions that plan, or decide drainability, under planner options: outside
 * src/orchestrate/ the service plans through the plan lifecycle (or the functions it binds to its
 * rules, bound-planners.ts), so no other module assembles options of its own. Types, validation
 * and pure metrics (`imbalanceOf`, `cellStats`) stay importable; so do the verifiers, which decide
 * nothing (src/orchestrate/reverify.ts is their one service caller).
 */
const PLANNING_FUNCTIONS = ['plan', 'planMaintenance', 'createQuickDrain'];

/** The names `file` imports as values (not `type`) from planner/index.ts, as exported there (`x as y`: `x`). */
function plannerValueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    if (m[1] || target(file, m[3]) !== join(root, 'planner/index.ts')) continue;
    for (const part of m[2].split(',')) {
      const name = part.trim();
      if (name && !name.startsWith('type ')) names.push(name.split(/\s+as\s+/)[0]);
    }
  }
  // a namespace import reaches every function
  for (const m of text.matchAll(/import\s+\*\s+as\s+\w+\s+from\s*['"]([^'"]+)['"]/g))
    if (target(file, m[1]) === join(root, 'planner/index.ts')) names.push(...PLANNING_FUNCTIONS);
  return names;
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

  it('outside src/orchestrate/, no module of src/ imports a planning function from the planner', () => {
    const orchestrate = join(root, 'src/orchestrate');
    const bad = files(join(root, 'src')).flatMap((f) => {
      if (f.startsWith(`${orchestrate}/`)) return [];
      return plannerValueImports(f)
        .filter((name) => PLANNING_FUNCTIONS.includes(name))
        .map((name) => `${relative(root, f)} imports ${name} from planner/index.ts`);
    });
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
