/**
 * The bundled command line (dist/bundle/, what bin/rebalancer.js runs) says what the sources say:
 * bad inventories get the same lines and exit status from the real binary as from the command run
 * in-process, schema problems (zod's messages, from the zod the bundle carries) included; and
 * `rebalancer plan`, which works from a file only, loads none of the store's or the service's packages.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/build.js';
import { runCli } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
const seed = JSON.parse(readFileSync(join(root, 'test/fixtures/scenarios/seed-example.json'), 'utf8'));

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

async function binary(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await promisify(execFile)(process.execPath, [join(root, 'bin/rebalancer.js'), ...args], { cwd: root }).then(
    (ok) => ({ code: 0, ...ok }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

const [host, other] = seed.hosts;
const [vm] = seed.instances;

describe('bin/rebalancer.js (bundled) on bad inventories', () => {
  beforeAll(buildOnce, 120_000);

  it.each([
    ['broken JSON', '{\n  "hosts": [\n    {"name": "a",}\n  ]\n}'],
    [
      'schema problems (zod)',
      {
        ...seed,
        hosts: [
          { ...host, vcpus: -4, state: 'sideways' },
          { ...other, cell: '' },
        ],
        instances: [{ ...vm, status: 'RUNNING', memoryMb: 'lots' }],
      },
    ],
    ['a missing list', { hosts: seed.hosts }],
    ['duplicate ids and unknown references', { ...seed, instances: [vm, { ...vm, host: 'HostZ', serverGroup: 'sg' }] }],
  ])('%s: the same lines and exit status as in-process', async (name, content) => {
    const args = [
      'plan',
      'drain',
      '--inventory',
      file(`${name.replace(/\W+/g, '-')}.json`, content),
      '--host',
      'HostB',
    ];
    const [real, inProcess] = [await binary(args), await runCli(args)];
    expect(real.code).toBe(2);
    expect(real.stdout).toBe('');
    expect(real.stderr).toMatch(/^rebalancer plan: .*\.json: /);
    expect(real).toEqual(inProcess);
  });
});

describe('bin/rebalancer.js (bundled): what rebalancer plan loads', () => {
  beforeAll(buildOnce, 120_000);

  /** Packages whose CommonJS files the command loaded (Node's module debug lines on stderr). */
  async function packagesLoaded(args: string[]): Promise<string[]> {
    const { stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin/rebalancer.js'), ...args], {
      cwd: root,
      env: { ...process.env, NODE_DEBUG: 'module' },
    });
    return [...new Set([...stderr.matchAll(/node_modules\/([^/"]+)/g)].map((m) => m[1]))];
  }

  it('plan drain loads neither a store nor the service (better-sqlite3, pg, fastify stay unloaded)', async () => {
    const heavy = ['better-sqlite3', 'pg', 'fastify', 'prom-client', 'pino'];
    // the check sees them where they are loaded: `plans` reads the configured store
    expect(await packagesLoaded(['plans', '--help'])).toEqual(expect.arrayContaining(['better-sqlite3', 'pg']));
    const seedFile = join(root, 'test/fixtures/scenarios/seed-example.json');
    const loaded = await packagesLoaded(['plan', 'drain', '--inventory', seedFile, '--host', 'HostB']);
    expect(loaded.filter((p) => heavy.includes(p))).toEqual([]);
  });
});
