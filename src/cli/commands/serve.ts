/**
 * `rebalancer serve [--config FILE] [--host H] [--port N]`: the HTTP service. Without hypervisors
 * in the configuration it runs the seeded demo region on a simulated cluster, bound to
 * 127.0.0.1 with a generated admin token printed at start.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bindingProblem } from '../../../executor/hypervisor/libvirt/index.js';
import { createService } from '../../app.js';
import type { Config, FlagSetting } from '../../config/index.js';
import { createLogger } from '../../log.js';
import { describeStore } from '../../store/open.js';
import type { CommandIo } from '../io.js';
import { BAD_INPUT, commandArgs, commandConfig } from '../setup.js';

const HELP = `usage: rebalancer serve [--config FILE] [--host ADDRESS] [--port N]

Runs the HTTP API. Configuration: config/default.json, then FILE (or REBALANCER_CONFIG), then
REBALANCER_<SECTION>__<KEY> environment variables (e.g. REBALANCER_API__PORT=9090).
With no hypervisors configured, a simulated demo region is used.

options:
  --config FILE   JSON or YAML configuration file
  --host ADDRESS  listen address (api.host); non-loopback needs api.tokens
  --port N        listen port (api.port); 0 picks a free port
  -h, --help      this help
`;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Generated admin token for a demo start without tokens (loopback only). */
export function withDemoToken(config: Config): { config: Config; generated: string | null } {
  if (config.api.tokens.length) return { config, generated: null };
  const token = randomBytes(24).toString('base64url');
  return { config: { ...config, api: { ...config.api, tokens: [{ token, role: 'admin' }] } }, generated: token };
}

/** Which hypervisor drivers this installation can use: the simulated one always, libvirt with its binding. */
export function driversLine(libvirtProblem: string | null): string {
  return libvirtProblem === null
    ? 'libvirt (patched binding loaded), simulated'
    : `simulated only; libvirt unavailable: ${libvirtProblem}`;
}

export function banner(
  config: Config,
  url: string,
  generated: string | null,
  kind: string,
  drivers: string,
  role: { role: string; shared: boolean },
): string {
  const token = generated ?? '<a token from api.tokens>';
  const cluster =
    kind === 'demo'
      ? `demo region (simulated: ${config.demo.cells} cells, ${config.demo.size} hosts, seed ${config.demo.seed}, ` +
        `time x${config.demo.timeScale})`
      : `libvirt (${config.hypervisors.length} hosts)`;
  return [
    `rebalancer listening on ${url}`,
    `  cluster: ${cluster}`,
    `  drivers: ${drivers}`,
    role.shared
      ? `  role:    ${role.role} (one leader among replicas; lease ${config.ha.leaseSeconds} s)`
      : `  role:    leader (the only process on this store)`,
    `  store:   ${describeStore(config.store)}`,
    `  report:  ${url}/reports/capacity  (HTML; ?format=json or csv)`,
    generated
      ? `  token:   ${generated}  (admin, generated for this run; set api.tokens to keep one)`
      : `  auth:    bearer tokens from api.tokens`,
    `  try:     curl -H "Authorization: Bearer ${token}" ${url}/hosts`,
    `           curl -H "Authorization: Bearer ${token}" -H 'Accept: text/html' -o report.html ${url}/reports/capacity`,
    '',
  ].join('\n');
}

function parse(argv: string[], io: CommandIo): { config?: string; host?: string; port?: string } | number {
  const args = commandArgs('serve', io, HELP, argv, {
    config: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  if (!args.positionals.length) return args.values;
  io.stderr(`rebalancer serve: unexpected argument "${args.positionals[0]}"\n\n${HELP}`);
  return BAD_INPUT;
}

export async function run(argv: string[], io: CommandIo, signal?: AbortSignal): Promise<number> {
  const args = parse(argv, io);
  if (typeof args === 'number') return args;
  const flags: FlagSetting[] = [];
  if (args.host) flags.push({ flag: '--host', path: ['api', 'host'], value: args.host });
  if (args.port)
    flags.push({
      flag: '--port',
      path: ['api', 'port'],
      value: /^\d+$/.test(args.port) ? Number(args.port) : args.port,
    });
  const loaded = commandConfig('serve', io, { path: args.config, flags });
  if (typeof loaded === 'number') return loaded;
  if (!loaded.api.tokens.length && !isLoopback(loaded.api.host)) {
    io.stderr(
      `rebalancer serve: refusing to listen on ${loaded.api.host} without a token: set api.tokens (or listen ` +
        `on 127.0.0.1)\n`,
    );
    return BAD_INPUT;
  }
  const { config, generated } = withDemoToken(loaded);
  const log = createLogger({ level: config.log.level });
  const libvirtProblem = bindingProblem();
  log.info({ libvirt: libvirtProblem ?? 'available' }, 'hypervisor drivers');
  const service = await createService({ config, log });
  const server: Server = service.app.listen(config.api.port, config.api.host);
  try {
    await once(server, 'listening');
  } catch (err) {
    io.stderr(`rebalancer serve: cannot listen on ${config.api.host}:${config.api.port}: ${(err as Error).message}\n`);
    await service.close(0);
    return 1;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
  io.stdout(
    banner(config, `http://${host}:${port}`, generated, service.session.cluster.kind, driversLine(libvirtProblem), {
      role: service.leadership.role(),
      shared: service.leadership.shared,
    }),
  );
  await waitForStop(signal);
  log.info('shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await service.close();
  return 0;
}

/** Resolves on SIGINT/SIGTERM, or when `signal` aborts (tests). */
function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
