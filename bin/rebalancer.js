#!/usr/bin/env node
// Entry point: runs the compiled CLI from dist/ (`npm run build`, which `npm ci` runs through `prepare`),
// bundled into dist/bundle/ (scripts/bundle-cli.mjs) so a command loads a few files, not hundreds.
// Each running libvirt migration holds one libuv worker thread: size the pool before anything
// uses it (imports below are dynamic so this assignment runs first).
import { existsSync } from 'node:fs';

process.env.UV_THREADPOOL_SIZE ??= '16';
const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('rebalancer: the compiled build (dist/) is missing: run `npm run build` (or `npm ci`)\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
