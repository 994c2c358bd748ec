#!/usr/bin/env node
// Entry point: loads the TypeScript CLI through tsx so no build step is needed.
// Each running libvirt migration holds one libuv worker thread: size the pool before anything
// uses it (imports below are dynamic so this assignment runs first).
process.env.UV_THREADPOOL_SIZE ??= '16';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
