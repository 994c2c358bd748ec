#!/usr/bin/env node
// `npm run bench`: runs the benchmark suites in bench/ and prints their tables.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
