/**
 * Every command reads its arguments through one parser (src/cli/setup.ts `commandArgs`): `-h` and
 * `--help` print the command's usage on stdout and exit 0; an unknown option, or an option without
 * its value, exits 2 naming the option, with nothing on stdout.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const COMMANDS = [
  'plan',
  'drain',
  'serve',
  'inventory',
  'execute',
  'cancel',
  'maintenance',
  'plans',
  'hosts',
  'report',
];

describe.each(COMMANDS)('rebalancer %s', (command) => {
  it.each([['-h'], ['--help']])('%s prints the usage and exits 0', async (flag) => {
    const r = await runCli([command, flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage:\\s+rebalancer ${command}\\b`));
    expect(r.stderr).toBe('');
  });

  it('an unknown option exits 2 naming it, nothing on stdout', async () => {
    const r = await runCli([command, '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^rebalancer ${command}: Unknown option '--no-such-option'`));
  });

  it('an option without its value exits 2 naming it, nothing on stdout', async () => {
    const option = command === 'plan' ? '--inventory' : '--config'; // `plan` reads a file, not the configuration
    const r = await runCli([command, option]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^rebalancer ${command}: Option '${option} <value>' argument missing`));
  });
});
