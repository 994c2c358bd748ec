#!/usr/bin/env bash
# build-libvirt-binding.sh - builds the npm package `libvirt` (node-libvirt 1.2.1) with this
# project's patches (patches/node-libvirt/*.patch: Node 20 port, migrate() destination-name fix,
# migration control calls) into .lab/node-libvirt/, where the libvirt driver loads it from.
#
# It is not a normal dependency on purpose: `npm install` must work on machines without the
# libvirt headers, where only the simulated hypervisor is used. Idempotent: a stamp of the
# patches, the libvirt version and the Node ABI skips the build when nothing changed.
# Needs: libvirt-dev, pkg-config, python3, make, g++ (scripts/system-deps.sh), the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DEST=$REPO/.lab/node-libvirt
PKG=$DEST/node_modules/libvirt
LOG=$REPO/.lab/logs/build-libvirt-binding.log
VERSION=1.2.1
mkdir -p "$REPO/.lab/logs"
t0=$(date +%s%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}'; }

pkg-config --exists libvirt || { echo "[binding] libvirt-dev missing: run scripts/system-deps.sh" >&2; exit 1; }
stamp="libvirt@$VERSION node-abi=$(node -p process.versions.modules) libvirt=$(pkg-config --modversion libvirt) patches=$(cat patches/node-libvirt/*.patch | sha256sum | cut -c1-16)"
loads() { node -e "const l=require('$PKG'); for (const m of ['getJobStats','migrateSetMaxSpeed','migrateStartPostCopy','migrateToURI3']) if (typeof l.Domain.prototype[m] !== 'function') throw new Error('missing '+m)" 2>>"$LOG"; }
if [ -f "$DEST/.stamp" ] && [ "$(cat "$DEST/.stamp")" = "$stamp" ] && loads; then
  echo "[binding] up to date ($stamp) ($(elapsed)s)"
  exit 0
fi

: >"$LOG"
rm -rf "$DEST"
mkdir -p "$DEST"
echo '{ "name": "rebalancer-libvirt-binding", "private": true }' >"$DEST/package.json"
# 1. fetch without running the package's own build (it fails on Node >= 12 unpatched)
(cd "$DEST" && npm install --no-audit --no-fund --no-package-lock --ignore-scripts "libvirt@$VERSION") >>"$LOG" 2>&1
# 2. the project's patches, in order
for p in patches/node-libvirt/[0-9][0-9]-*.patch; do
  patch -p1 --forward --quiet -d "$PKG" <"$p" >>"$LOG" 2>&1 || { echo "[binding] patch $p failed, see $LOG" >&2; exit 1; }
done
# 3. compile against the local Node headers (no download of headers)
NODEDIR=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$NODEDIR/include/node/node.h" ] && export npm_config_nodedir=$NODEDIR
export JOBS=${JOBS:-$(nproc)}
if ! (cd "$DEST" && npm rebuild libvirt --foreground-scripts) >>"$LOG" 2>&1; then
  echo "[binding] build failed; last lines of $LOG:" >&2
  grep -m 20 -E 'error' "$LOG" >&2 || tail -20 "$LOG" >&2
  exit 1
fi
loads || { echo "[binding] built module does not load, see $LOG" >&2; exit 1; }
echo "$stamp" >"$DEST/.stamp"
echo "[binding] built $PKG in $(elapsed)s"
