#!/usr/bin/env node
/**
 * Bundles the compiled command line (dist/src/cli/main.js, from `tsc -p tsconfig.build.json`) into
 * dist/bundle/, which bin/rebalancer.js runs. Part of `npm run build`.
 *
 * Why: a command starts by loading its modules, and Node 20 resolves, reads and compiles each ES
 * module file separately; `rebalancer plan` loaded over 200 of them (95 of them zod's), about 0.1 s
 * of CPU before any work. Bundled, the project's modules and zod are a few files. Commands stay
 * separate chunks loaded on demand (the dynamic imports of src/cli/main.ts), so a command still
 * loads only what it uses. The other npm packages stay outside (native code, CommonJS, files they
 * load themselves) and are imported from node_modules as before. The planning worker of the
 * service is an entry of its own (plan-worker.js next to the chunks, where src/orchestrate/plan-pool.ts
 * looks for it). Source maps follow tsc's back to the TypeScript sources.
 *
 * Only files whose content changed are written (each through a rename), and files no longer part
 * of the bundle are removed: a rebuild with nothing changed leaves a running binary's files alone
 * (the tests build once per test process while other test processes run the binary).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
/** Bundled: pure ES modules whose many files are what made loading slow. */
const INSIDE = new Set(['zod']);
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((n) => !INSIDE.has(n));
const outdir = resolve(root, 'dist/bundle');

const { outputFiles } = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/src/cli/main.js', 'plan-worker': 'dist/src/orchestrate/plan-worker.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
});

mkdirSync(outdir, { recursive: true });
const current = new Set(readdirSync(outdir));
for (const file of outputFiles) {
  const name = file.path.slice(outdir.length + 1);
  current.delete(name);
  let old = null;
  try {
    old = readFileSync(file.path);
  } catch {
    // not there yet
  }
  if (old?.equals(file.contents)) continue;
  writeFileSync(`${file.path}.tmp`, file.contents);
  renameSync(`${file.path}.tmp`, file.path);
}
for (const stale of current) rmSync(join(outdir, stale), { force: true });
