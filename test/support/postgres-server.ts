/**
 * One real PostgreSQL server for a test run, in a directory of its own: found binaries, initdb,
 * start on a free port (TCP on 127.0.0.1 and a unix socket in the directory), stop. The first
 * process that calls `ensureServer(dir)` starts it (a `lock` directory decides who); the others
 * wait for its `server.json`. The server outlives that process (other test files use it) and is
 * stopped by the run's teardown, or by a watchdog once the run's main process is gone.
 * As root, initdb and postgres run as the `postgres` user (they refuse root), through setpriv.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

export interface ServerInfo {
  host: string;
  port: number;
  socketDir: string;
  /** Connection URL of the `postgres` database as the superuser `postgres`. */
  adminUrl: string;
}

/** The directory with `initdb` and `postgres`, or null when PostgreSQL is not installed. */
export function findBinDir(): string | null {
  const has = (d: string) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'));
  const fromEnv = process.env.REBALANCER_POSTGRES_BIN;
  if (fromEnv) return has(fromEnv) ? fromEnv : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  for (const d of (process.env.PATH ?? '').split(':')) if (d && has(d)) return d;
  return null;
}

const isRoot = () => process.getuid?.() === 0;

/** The command prefix that runs a PostgreSQL binary as a user it accepts. */
function asPostgres(): string[] {
  // setpriv execs the binary itself, so the child is the postmaster
  return isRoot() ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : [];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(info: ServerInfo, serverPid: () => boolean, log: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const c = new pg.Client({ connectionString: info.adminUrl });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (!serverPid()) throw new Error(`PostgreSQL exited while starting; its log:\n${tail(log)}`);
      if (Date.now() > until)
        throw new Error(`PostgreSQL did not accept connections within ${ms} ms (${(err as Error).message})`);
      await sleep(100);
    }
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ServerOptions {
  /** Keep PostgreSQL's durability settings (fsync, synchronous commit) instead of turning them off for speed. */
  durable?: boolean;
}

async function start(dir: string, bin: string, ownerPid: number, o: ServerOptions): Promise<ServerInfo> {
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(data);
  mkdirSync(socketDir);
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const d of [dir, data, socketDir]) chownSync(d, uid, gid);
  }
  const prefix = asPostgres();
  const run = (cmd: string, args: string[]) => {
    const all = [...prefix, cmd, ...args];
    execFileSync(all[0], all.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  } catch (err) {
    const e = err as { stderr?: Buffer };
    throw new Error(`initdb failed: ${e.stderr?.toString().trim() ?? String(err)}`);
  }
  const log = join(dir, 'postgres.log');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const out = openSync(log, 'a');
    const args = [
      join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      ...(o.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      '-c',
      'max_connections=500',
      '-c',
      'shared_buffers=32MB',
    ];
    const all = [...prefix, ...args];
    const child = spawn(all[0], all.slice(1), { detached: true, stdio: ['ignore', out, out], cwd: dir });
    child.unref();
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const info: ServerInfo = {
      host: '127.0.0.1',
      port,
      socketDir,
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    };
    try {
      await waitReady(info, () => !exited, log, 60_000);
    } catch (err) {
      // another process may have taken the port between the probe and the start: try another
      if (exited && attempt < 3 && /could not bind|in use/i.test(tail(log))) continue;
      throw err;
    }
    watchdog(dir, data, ownerPid);
    return info;
  }
}

/** Stops the server and removes its directory once the run's main process has gone (a killed run). */
function watchdog(dir: string, data: string, ownerPid: number): void {
  const script = `while kill -0 ${ownerPid} 2>/dev/null; do sleep 2; done
pid=$(head -1 '${data}/postmaster.pid' 2>/dev/null) && kill -INT "$pid" 2>/dev/null
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
rm -rf '${dir}'`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/**
 * The server of `dir`, started by this call when no process started it yet. It is stopped when
 * the process named in `<dir>/owner` ends (the vitest main process, written by the global setup),
 * else when `ownerPid` ends.
 */
export async function ensureServer(dir: string, ownerPid: number, options: ServerOptions = {}): Promise<ServerInfo> {
  const infoFile = join(dir, 'server.json');
  const failedFile = join(dir, 'failed.txt');
  const bin = findBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  let mine = false;
  try {
    mkdirSync(join(dir, 'lock'));
    mine = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (mine) {
    try {
      const ownerFile = join(dir, 'owner');
      const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : ownerPid;
      const info = await start(dir, bin, owner, options);
      writeFileSync(`${infoFile}.tmp`, JSON.stringify(info));
      renameSync(`${infoFile}.tmp`, infoFile);
      return info;
    } catch (err) {
      writeFileSync(failedFile, (err as Error).message);
      throw err;
    }
  }
  const until = Date.now() + 180_000;
  for (;;) {
    if (existsSync(infoFile)) return JSON.parse(readFileSync(infoFile, 'utf8')) as ServerInfo;
    if (existsSync(failedFile)) throw new Error(readFileSync(failedFile, 'utf8'));
    if (Date.now() > until) throw new Error(`the test PostgreSQL server in ${dir} did not start within 180 s`);
    await sleep(100);
  }
}

/** Stops the server of `dir` (fast shutdown), if one was started there. */
export async function stopServer(dir: string): Promise<void> {
  const pidFile = join(dir, 'data', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0) || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  const until = Date.now() + 10_000;
  while (alive(pid) && Date.now() < until) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
