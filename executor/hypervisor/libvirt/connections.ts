/**
 * One libvirt connection per host, opened on first use and re-opened after a connection
 * failure (daemon restarted, network blip). Calls fail fast with HOST_UNREACHABLE (transient)
 * when the host cannot be reached.
 */
import type { Logger } from 'pino';
import type { HostConfig } from '../types.js';
import { HypervisorError } from '../errors.js';
import type { LibvirtBinding, LvConnection } from './binding.js';
import { isConnectionError, toHypervisorError } from './errors.js';

export interface ConnectionPool {
  host(name: string): HostConfig;
  /**
   * Runs `fn` on the host's connection. On a connection error the connection is dropped and,
   * when `retry` is set (idempotent reads), `fn` runs once more on a fresh one.
   */
  use<T>(host: string, what: string, fn: (conn: LvConnection) => Promise<T>, retry?: boolean): Promise<T>;
  /**
   * Runs `fn` on a connection of its own, closed afterwards. For long calls (a migration):
   * other calls on a connection that waits for a migration can stall until it ends.
   */
  dedicated<T>(host: string, what: string, fn: (conn: LvConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createConnectionPool(binding: LibvirtBinding, hosts: HostConfig[], log?: Logger): ConnectionPool {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const open = new Map<string, Promise<LvConnection>>();

  function host(name: string): HostConfig {
    const h = byName.get(name);
    if (!h)
      throw new HypervisorError(
        'NOT_FOUND',
        `unknown host "${name}" (configured: ${[...byName.keys()].join(', ')})`,
        false,
      );
    return h;
  }

  function openConnection(name: string): Promise<LvConnection> {
    const conn = new binding.Hypervisor(host(name).uri);
    return conn.connectAsync().then(
      () => conn,
      (err: unknown) => {
        throw new HypervisorError(
          'HOST_UNREACHABLE',
          `cannot connect to ${name} (${host(name).uri}): ${(err as Error).message}`,
          true,
          { cause: err },
        );
      },
    );
  }

  function connect(name: string): Promise<LvConnection> {
    let p = open.get(name);
    if (!p) {
      p = openConnection(name);
      p.catch(() => open.delete(name));
      open.set(name, p);
    }
    return p;
  }

  async function dedicated<T>(name: string, what: string, fn: (conn: LvConnection) => Promise<T>): Promise<T> {
    const conn = await openConnection(name);
    try {
      return await fn(conn);
    } catch (err) {
      throw toHypervisorError(err, what);
    } finally {
      conn.disconnectAsync().catch(() => undefined);
    }
  }

  function drop(name: string, conn: LvConnection): void {
    open.delete(name);
    conn.disconnectAsync().catch(() => undefined);
    log?.warn({ host: name }, 'libvirt connection dropped');
  }

  async function use<T>(name: string, what: string, fn: (conn: LvConnection) => Promise<T>, retry = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const conn = await connect(name);
      try {
        return await fn(conn);
      } catch (err) {
        if (!isConnectionError(err)) throw toHypervisorError(err, what);
        drop(name, conn);
        if (!retry || attempt > 0) throw toHypervisorError(err, what);
      }
    }
  }

  async function close(): Promise<void> {
    const conns = await Promise.allSettled([...open.values()]);
    open.clear();
    await Promise.allSettled(conns.map((c) => (c.status === 'fulfilled' ? c.value.disconnectAsync() : undefined)));
  }

  return { host, use, dedicated, close };
}
