/** config/default.json holds every default of the service, and the schemas' own defaults say the same. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExecutorOptionsSchema } from '../../executor/options.js';
import { ConfigSchema, DEFAULT_CONFIG_FILE, loadConfig } from '../../src/config/index.js';
import { MaintenanceConfigSchema } from '../../src/maintenance/config.js';
import { NightlyConfigSchema } from '../../src/nightly/config.js';

const file = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));

describe('config/default.json', () => {
  it('is the effective configuration when nothing else is given', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok && r.config).toEqual(file);
  });

  it('lists every setting: the schema fills in nothing the file leaves out', () => {
    expect(ConfigSchema.parse(file)).toEqual(file);
    expect(Object.keys(file.executor).sort()).toEqual(Object.keys(ExecutorOptionsSchema.shape).sort());
    expect(Object.keys(file.nightly).sort()).toEqual(Object.keys(NightlyConfigSchema.shape).sort());
    // the patch command has no default: without one the operator marks each host done
    expect(Object.keys(file.maintenance).sort()).toEqual(
      Object.keys(MaintenanceConfigSchema.shape)
        .filter((k) => k !== 'hostCommand')
        .sort(),
    );
  });

  it("agrees with the executor's, nightly's and maintenance's own defaults (used without a configuration)", () => {
    expect(ExecutorOptionsSchema.parse({})).toEqual(file.executor);
    expect(NightlyConfigSchema.parse({})).toEqual(file.nightly);
    expect(MaintenanceConfigSchema.parse({})).toEqual(file.maintenance);
  });
});
