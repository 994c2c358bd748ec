/**
 * The command line as an operator runs it: `node bin/rebalancer.js plan drain` of one host on the
 * bench's region (5 cells x 1,000 hosts, seed 42, about 105k instances; --quick: 5 x 200), process
 * start included, on the compiled build (built first, as the tests do). Beside it `plan --help`
 * (start-up and module loading only) and an empty `node`. Runs alternate between the commands;
 * wall time and the child's CPU time (user + system, from /proc on Linux) per run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildOnce } from '../test/support/build.js';
import { generateRegion } from './gen.js';
import type { BenchOptions, BenchTable } from './main.js';

const repo = resolve(import.meta.dirname, '..');

/** CPU seconds of this process's waited-for children so far (Linux), or NaN elsewhere. */
function childCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // after the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

function timeRun(args: string[]): { wall: number; cpu: number } {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childCpuSeconds() - cpu0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export async function run(o: BenchOptions): Promise<BenchTable[]> {
  await buildOnce();
  const hostsPerCell = o.quick ? 200 : 1000;
  const region = generateRegion({ seed: 42, cells: 5, hostsPerCell });
  const dir = mkdtempSync(join(tmpdir(), 'rebalancer-bench-cli-'));
  const file = join(dir, 'region.json');
  writeFileSync(file, JSON.stringify(region));
  const commands: [string, string[]][] = [
    ['plan drain --host c1-h0000', ['bin/rebalancer.js', 'plan', 'drain', '--inventory', file, '--host', 'c1-h0000']],
    ['plan --help', ['bin/rebalancer.js', 'plan', '--help']],
    ['node -e 0', ['-e', '0']],
  ];
  const runs = o.quick ? 3 : 10;
  const load = loadavg()[0];
  const times = commands.map(() => [] as { wall: number; cpu: number }[]);
  try {
    for (let k = 0; k < runs; k++) for (const [c, [, args]] of commands.entries()) times[c].push(timeRun(args));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = commands.map(([name], c) => {
    const wall = times[c].map((t) => t.wall);
    const cpu = times[c].map((t) => t.cpu);
    return [name, runs, median(wall), Math.min(...wall), Math.max(...wall), median(cpu), Math.max(...cpu)];
  });
  return [
    {
      title: `CLI plan drain, 5 x ${hostsPerCell} hosts (${region.instances.length} instances), with process start`,
      columns: ['command', 'runs', 'wall s median', 'min', 'max', 'CPU s median', 'CPU max'],
      rows,
      notes: [
        `Load average ${load.toFixed(1)} -> ${loadavg()[0].toFixed(1)} over the runs (${process.platform}); ` +
          "CPU is the child processes' user + system time (10 ms resolution). Target (issue 11): under 0.8 s wall.",
      ],
    },
  ];
}
