/**
 * `rebalancer <command>`: dispatches to one module per command. Each command module exports
 * `run(argv, io)` and returns the process exit status; nothing here throws to the user.
 */
import { VERSION } from '../version.js';
import type { CommandIo } from './io.js';
import { defaultIo, endQuietlyOnOutputErrors } from './io.js';

type Command = { summary: string; load: () => Promise<{ run: (argv: string[], io: CommandIo) => Promise<number> }> };

const commands: Record<string, Command> = {
  plan: {
    summary: 'compute a drain or balance plan from an inventory file (no side effects)',
    load: () => import('./commands/plan.js'),
  },
  drain: {
    summary: 'collect the inventory from configured hosts, plan a drain and (with --execute) run it',
    load: () => import('./commands/drain.js'),
  },
  serve: {
    summary: 'run the HTTP service (embedded demo cluster unless hypervisors are configured)',
    load: () => import('./commands/serve.js'),
  },
  inventory: {
    summary: 'collect the inventory from configured hosts and print it in the plan format',
    load: () => import('./commands/inventory.js'),
  },
  execute: { summary: 'execute a stored plan by id', load: () => import('./commands/execute.js') },
  cancel: { summary: 'cancel a running plan by id', load: () => import('./commands/cancel.js') },
  maintenance: {
    summary: 'start or resume a rolling maintenance campaign; list, show, pause, cancel; host done or end',
    load: () => import('./commands/maintenance.js'),
  },
  plans: {
    summary: 'list stored plans or show one with its moves (as GET /plans and GET /plans/:id)',
    load: () => import('./commands/plans.js'),
  },
  hosts: {
    summary: 'list hosts with utilisation and maintenance (as GET /hosts)',
    load: () => import('./commands/hosts.js'),
  },
  report: {
    summary: 'print the capacity-review report (html, json or csv)',
    load: () => import('./commands/report.js'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`);
  return (
    `usage: rebalancer <command> [options]\n       rebalancer --version\n\ncommands:\n${lines.join('\n')}\n\n` +
    `Run "rebalancer help <command>" (or "rebalancer <command> --help") for a command's options.\n`
  );
}

export async function main(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  if (io === defaultIo) endQuietlyOnOutputErrors();
  const [first, ...more] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout(`rebalancer ${VERSION}\n`);
    return 0;
  }
  // `help <command>` is `<command> --help`
  const [name, ...rest] = first === 'help' && more.length ? [more[0], '--help'] : argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`rebalancer: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (err) {
    // A bug or an infrastructure fault: say what happened in one line, keep the trace for debugging.
    const { storeFault } = await import('../store/faults.js');
    const fault = storeFault(err);
    if (fault) io.stderr(`rebalancer ${name}: the store cannot serve: ${fault.reason}\n`);
    else io.stderr(`rebalancer ${name}: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.REBALANCER_DEBUG) io.stderr(`${(err as Error)?.stack}\n`);
    return 1;
  }
}
