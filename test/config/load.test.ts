import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveExecutorOptions } from '../../executor/options.js';
import { formatConfigErrors, loadConfig } from '../../src/config/index.js';

function tmpFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rebalancer-config-')), name);
  writeFileSync(file, text);
  return file;
}

const adminToken = 'a'.repeat(32);

describe('loadConfig', () => {
  it('returns the defaults with an empty environment', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.api).toEqual({ host: '127.0.0.1', port: 8080, tokens: [], bodyLimitBytes: 65536 });
    expect(r.config.hypervisors).toEqual([]);
    expect(r.config.planner.timeoutPerGiBSeconds).toBe(800);
    expect(r.source).toBeNull();
  });

  it('merges a YAML file over the defaults, keeping unspecified keys', () => {
    const file = tmpFile('c.yaml', `api:\n  port: 9000\n  tokens:\n    - { token: ${adminToken}, role: admin }\n`);
    const r = loadConfig({ path: file, env: {} });
    expect(r.ok && r.config.api).toEqual({
      host: '127.0.0.1',
      port: 9000,
      tokens: [{ token: adminToken, role: 'admin' }],
      bodyLimitBytes: 65536,
    });
  });

  it('reads the file named by REBALANCER_CONFIG (JSON)', () => {
    const file = tmpFile('c.json', JSON.stringify({ store: { path: '/tmp/x.sqlite' } }));
    const r = loadConfig({ env: { REBALANCER_CONFIG: file } });
    expect(r.ok && r.config.store.path).toBe('/tmp/x.sqlite');
    expect(r.ok && r.source).toBe(file);
  });

  it('applies environment overrides over the file, matching camelCase keys', () => {
    const file = tmpFile('c.yaml', 'api:\n  port: 9000\n');
    const r = loadConfig({
      path: file,
      env: {
        REBALANCER_API__PORT: '8181',
        REBALANCER_PLANNER__TIMEOUT_PER_GIB_SECONDS: '600',
        REBALANCER_API__TOKENS: JSON.stringify([{ token: adminToken, role: 'read' }]),
        REBALANCER_DEBUG: '1',
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.api.port).toBe(8181);
    expect(r.config.planner.timeoutPerGiBSeconds).toBe(600);
    expect(r.config.api.tokens).toEqual([{ token: adminToken, role: 'read' }]);
  });

  it('loads the libvirt example', () => {
    const r = loadConfig({ path: 'config/example-libvirt.yaml', env: {} });
    expect(r.ok && r.config.hypervisors.map((h) => h.name)).toEqual(['HostA', 'HostB', 'HostC']);
  });

  it('loads the production example as the systemd unit runs it: store in the state directory', () => {
    const tokens = JSON.stringify([{ token: adminToken, role: 'admin' }]);
    const r = loadConfig({
      path: 'config/production.example.yaml',
      env: { STATE_DIRECTORY: '/var/lib/rebalancer', REBALANCER_API__TOKENS: tokens },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.store.path).toBe('/var/lib/rebalancer/rebalancer.sqlite');
    expect(r.config.api).toMatchObject({ host: '0.0.0.0', tokens: [{ token: adminToken, role: 'admin' }] });
    expect(r.config.hypervisors.map((h) => h.name)).toEqual(['HostA', 'HostB']);
    expect(resolveExecutorOptions(r.config.executor).onTimeout).toBe('abort');
  });

  it.each([
    ['the default relative path', {}, '/srv/state/data/rebalancer.sqlite'],
    ['a relative path, first of several state directories', { path: 'x.sqlite' }, '/srv/state/x.sqlite'],
    ['an absolute path', { path: '/data/x.sqlite' }, '/data/x.sqlite'],
    ['the in-memory store', { path: ':memory:' }, ':memory:'],
  ])('under STATE_DIRECTORY keeps %s there or as given', (_name, store, expected) => {
    const file = tmpFile('c.json', JSON.stringify({ store }));
    const r = loadConfig({ path: file, env: { STATE_DIRECTORY: '/srv/state:/srv/other' } });
    expect(r.ok && r.config.store.path).toBe(expected);
  });

  it('leaves a relative store path relative to the working directory without STATE_DIRECTORY', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok && r.config.store.path).toBe('data/rebalancer.sqlite');
  });

  it('lists every problem with its path and the value received', () => {
    const file = tmpFile(
      'bad.yaml',
      [
        'api:',
        '  port: 70000',
        '  tokens: [{ token: short, role: root }]',
        '  colour: blue',
        'hypervisors:',
        '  - { name: h1, uri: "qemu:///system", cell: c1 }',
        '  - { name: h1, uri: "qemu:///system", cell: c1 }',
        'planner: { method: magic }',
      ].join('\n'),
    );
    const r = loadConfig({ path: file, env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['api.port', 'api.tokens[0].token', 'api.tokens[0].role', 'api', 'planner.method']),
    );
    expect(r.errors.find((e) => e.path === 'api.port')?.message).toContain('70000');
    expect(r.errors.find((e) => e.path === 'api')?.message).toContain('colour');
    // a token is never echoed back, even a bad one
    expect(JSON.stringify(r.errors)).not.toContain('"short"');
  });

  it('reports duplicate host names once the schema passes', () => {
    const file = tmpFile(
      'dup.json',
      JSON.stringify({
        hypervisors: [
          { name: 'h1', uri: 'qemu:///a', cell: 'c' },
          { name: 'h1', uri: 'qemu:///b', cell: 'c' },
        ],
      }),
    );
    const r = loadConfig({ path: file, env: {} });
    expect(!r.ok && r.errors).toEqual([
      { path: 'hypervisors[1].name', message: 'duplicate host name "h1" (also hypervisors[0])', source: file },
    ]);
  });

  it.each([
    ['missing file', '/nonexistent/rebalancer.yaml', /cannot read config file: ENOENT/],
    ['invalid JSON', tmpFile('x.json', '{ nope'), /not valid JSON/],
    ['invalid YAML', tmpFile('x.yaml', 'a: [1, 2'), /not valid YAML/],
    ['a list at the top', tmpFile('x.yaml', '- 1\n- 2\n'), /expected a mapping/],
  ])('reports %s', (_name, file, pattern) => {
    const r = loadConfig({ path: file, env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toMatch(pattern);
  });

  it('reports an environment override below a scalar', () => {
    const r = loadConfig({ env: { REBALANCER_API__PORT__X: '1' } });
    expect(!r.ok && r.errors[0].path).toBe('api.port');
  });

  it('reports a wrongly typed environment value with the variable path', () => {
    const r = loadConfig({ env: { REBALANCER_API__PORT: 'eighty' } });
    expect(!r.ok && r.errors).toEqual([
      { path: 'api.port', message: expect.stringContaining('"eighty"'), source: 'REBALANCER_API__PORT' },
    ]);
  });

  it('names the source of each offending value: the file, the environment variable or the flag', () => {
    const file = tmpFile(
      'mixed.yaml',
      ['api: { port: 70000, colour: blue }', 'executor: { retries: { maxAttempts: 0 } }', 'nightly: { mode: x }'].join(
        '\n',
      ),
    );
    const r = loadConfig({
      path: file,
      env: { REBALANCER_NIGHTLY__MODE: '"sometimes"', REBALANCER_EXECUTOR__MAX_REPLANS: '-1' },
      flags: [{ flag: '--host', path: ['api', 'host'], value: '' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const sourceOf = (path: string) => r.errors.filter((e) => e.path === path).map((e) => e.source);
    expect(sourceOf('api.port')).toEqual([file]);
    expect(sourceOf('api')).toEqual([file]); // the unknown key "colour"
    expect(sourceOf('executor.retries.maxAttempts')).toEqual([file]);
    expect(sourceOf('executor.maxReplans')).toEqual(['REBALANCER_EXECUTOR__MAX_REPLANS']);
    expect(sourceOf('nightly.mode')).toEqual(['REBALANCER_NIGHTLY__MODE']);
    expect(sourceOf('api.host')).toEqual(['--host']);
    const text = formatConfigErrors(r.errors);
    expect(text).toContain(`  ${file}: api.port: `);
    expect(text).toMatch(/ {2}REBALANCER_EXECUTOR__MAX_REPLANS: executor\.maxReplans: .*got -1/);
    expect(text).toContain('  --host: api.host: ');
  });
});

describe('loadConfig: nightly section', () => {
  it('applies the nightly defaults and reports nightly problems with their path', () => {
    const ok = loadConfig({ env: {} });
    expect(ok.ok && ok.config.nightly.schedule).toBe('0 2 * * *');
    const bad = loadConfig({ env: { REBALANCER_NIGHTLY__SCHEDULE: 'every night' } });
    expect(!bad.ok && bad.errors.map((e) => e.path)).toEqual(['nightly.schedule']);
  });
});
