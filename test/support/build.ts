/**
 * The compiled build (dist/, its command line bundled into dist/bundle/) that bin/rebalancer.js runs.
 * Tests that start the real binary call `buildOnce()` in beforeAll, so the binary runs the current
 * sources, not an older build. vitest runs test files in parallel processes: a lock directory makes
 * them build one at a time, and tsc's incremental build makes each build after the first quick (the
 * bundle step rewrites only files that changed, so a binary another test runs meanwhile is intact).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const lock = resolve(repo, 'dist/.build-lock');
let built: Promise<void> | null = null;

async function locked(fn: () => Promise<void>): Promise<void> {
  mkdirSync(resolve(repo, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock left by a killed run (a build takes well under a minute) is taken over
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 300_000)
        rmSync(lock, { force: true, recursive: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { force: true, recursive: true });
  }
}

/** Compiles the sources into dist/ and bundles the command line (`npm run build`), once per test process. */
export function buildOnce(): Promise<void> {
  built ??= locked(async () => {
    await run(process.execPath, [resolve(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: repo,
    });
    await run(process.execPath, [resolve(repo, 'scripts/bundle-cli.mjs')], { cwd: repo });
  });
  return built;
}
