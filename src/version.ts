/** The product version: the `version` of the package.json this module was installed with. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  // walks up because the module runs from src/ in development and from the build output installed
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rebalancer' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking
    }
    if (dirname(dir) === dir) return '0.0.0-unknown';
  }
}

export const VERSION = readVersion();
