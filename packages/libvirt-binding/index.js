// The patched node-libvirt that build.mjs builds into ./libvirt (run by `npm install` and
// `npm ci`, or `npm run build:binding`). Throws, saying why, when it was not built.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, 'libvirt');
if (!existsSync(join(built, '.rebalancer-stamp'))) {
  const status = join(__dirname, 'status.txt');
  const why = existsSync(status) ? readFileSync(status, 'utf8').trim() : 'build.mjs has not run';
  throw new Error(`not built: ${why}`);
}
module.exports = require(built);
