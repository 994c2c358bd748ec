/** The patch command runs as a real process: argv without a shell, its environment, exit status, timeout, output cut. */
import { describe, expect, it } from 'vitest';
import { OUTPUT_LIMIT_BYTES, runHostCommand } from '../../src/maintenance/host-command.js';

const env = { host: 'lab-b', campaign: 'c-1' };

describe('maintenance host command', () => {
  it('exit 0 is done; the environment names the host and the campaign', async () => {
    const r = await runHostCommand(
      { argv: ['/bin/sh', '-c', 'echo "$REBALANCER_HOST $REBALANCER_CAMPAIGN"'], timeoutSeconds: 10 },
      env,
    );
    expect(r).toMatchObject({ ok: true, code: 0, reason: null, stdout: 'lab-b c-1\n' });
  });

  it('passes arguments without a shell: metacharacters stay literal', async () => {
    const r = await runHostCommand({ argv: ['/bin/echo', '$HOME; rm -rf /tmp/x', '`id`'], timeoutSeconds: 10 }, env);
    expect(r.stdout).toBe('$HOME; rm -rf /tmp/x `id`\n');
  });

  it('a non-zero exit fails with the status and the last line of stderr', async () => {
    const r = await runHostCommand(
      { argv: ['/bin/sh', '-c', 'echo step >&2; echo "no space" >&2; exit 4'], timeoutSeconds: 10 },
      env,
    );
    expect(r).toMatchObject({ ok: false, code: 4 });
    expect(r.reason).toBe('/bin/sh exited with status 4: no space');
  });

  it('is killed with what it started when the timeout runs out', async () => {
    const t = Date.now();
    const r = await runHostCommand({ argv: ['/bin/sh', '-c', 'sleep 30 & sleep 30; wait'], timeoutSeconds: 0.5 }, env);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(r).toMatchObject({ ok: false, timedOut: true, code: null });
    expect(r.reason).toMatch(/did not finish within 0.5 s and was killed/);
  });

  it('keeps only the end of a long output', async () => {
    const r = await runHostCommand(
      { argv: ['/bin/sh', '-c', 'yes x | head -c 100000; echo END'], timeoutSeconds: 10 },
      env,
    );
    expect(r.ok).toBe(true);
    expect(r.stdout.length).toBeLessThan(OUTPUT_LIMIT_BYTES + 40);
    expect(r.stdout).toMatch(/^\[\d+ bytes cut\]/);
    expect(r.stdout.endsWith('END\n')).toBe(true);
  });

  it('a command that cannot start says so', async () => {
    const r = await runHostCommand({ argv: ['/nonexistent/patch-host'], timeoutSeconds: 10 }, env);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^cannot run \/nonexistent\/patch-host: .*ENOENT/);
  });
});
