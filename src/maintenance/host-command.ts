/**
 * The configured patch command (`maintenance.hostCommand`): an argv array from configuration
 * only, run without a shell, with REBALANCER_HOST and REBALANCER_CAMPAIGN in its environment and
 * a timeout (the whole process group is killed when it runs out). Exit status 0 means the host
 * is patched. Output is kept, cut to a bounded size, for the campaign's events.
 */
import { spawn } from 'node:child_process';

/** Bytes of output kept per stream (the end is kept: that is where a failure says why). */
export const OUTPUT_LIMIT_BYTES = 8192;

export interface HostCommandSettings {
  argv: readonly string[];
  timeoutSeconds: number;
}

export interface HostCommandResult {
  ok: boolean;
  /** Exit code, or null when the command was killed or could not start. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Why it failed, in one line; null when ok. */
  reason: string | null;
}

function keepTail(chunks: Buffer[], limit: number): string {
  const all = Buffer.concat(chunks);
  const text = all.subarray(Math.max(0, all.length - limit)).toString('utf8');
  return all.length > limit ? `[${all.length - limit} bytes cut]${text}` : text;
}

function collector(limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b: Buffer) {
      chunks.push(b);
      size += b.length;
      // keep memory bounded: drop whole chunks from the front once twice the limit is held
      while (size - chunks[0].length > limit * 2) size -= chunks.shift()!.length;
    },
    text: () => keepTail(chunks, limit),
  };
}

function describe(r: Omit<HostCommandResult, 'reason' | 'ok'>, argv0: string, timeout: number): string {
  if (r.timedOut) return `${argv0} did not finish within ${timeout} s and was killed`;
  if (r.signal) return `${argv0} was killed by ${r.signal}`;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  return `${argv0} exited with status ${r.code}${last ? `: ${last.slice(0, 200)}` : ''}`;
}

/** Runs the command for `host` of campaign `campaign`; never throws. */
export function runHostCommand(
  settings: HostCommandSettings,
  env: { host: string; campaign: string },
  signal?: AbortSignal,
): Promise<HostCommandResult> {
  const [cmd, ...args] = settings.argv;
  const out = collector(OUTPUT_LIMIT_BYTES);
  const err = collector(OUTPUT_LIMIT_BYTES);
  return new Promise((resolve) => {
    let timedOut = false;
    const child = spawn(cmd, args, {
      shell: false,
      detached: true, // own process group, so a timeout kills what the command started too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REBALANCER_HOST: env.host, REBALANCER_CAMPAIGN: env.campaign },
    });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, settings.timeoutSeconds * 1000);
    signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let finished = false;
    const finish = (code: number | null, sig: string | null, startError?: Error) => {
      if (finished) return; // a command that cannot start emits both 'error' and 'close'
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      const r = { code, signal: sig, timedOut, stdout: out.text(), stderr: err.text() };
      const ok = !startError && !timedOut && code === 0;
      const reason = startError
        ? `cannot run ${cmd}: ${startError.message}`
        : ok
          ? null
          : describe(r, cmd, settings.timeoutSeconds);
      resolve({ ...r, ok, reason });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, sig) => finish(code, sig));
  });
}
