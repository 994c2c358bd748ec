/**
 * The project's folder and version: the package.json named `rebalancer` above this module (it runs
 * from src/ in development and from dist/src/ or dist/bundle/ when built, so the folder is found, not assumed).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackage(): { root: string; version: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rebalancer' && pkg.version) return { root: dir, version: pkg.version };
    } catch {
      // no package.json here: keep walking
    }
    if (dirname(dir) === dir) return { root: resolve(here, '..'), version: '0.0.0-unknown' };
  }
}

const found = findPackage();
/** The folder holding package.json, config/ and bin/. */
export const PROJECT_ROOT = found.root;
/** `version` of that package.json. */
export const VERSION = found.version;
