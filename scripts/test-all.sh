#!/usr/bin/env bash
# The whole test suite, as in the README: installs the system packages the real-part tests need
# (libvirt + QEMU, Chromium, systemd), builds the libvirt binding and dist/ (the install step's
# builds, run again in case the packages arrived after `npm ci`; each does nothing when up to date),
# starts three lab libvirt hosts in network namespaces, runs vitest with the real-part tests
# required (they fail instead of skipping), and tears the lab down. Needs root (apt-get, network
# namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/system-deps.sh
npm run --silent build:binding
npm run --silent build
bash scripts/lab/up.sh
trap 'bash scripts/lab/down.sh || true' EXIT
export REBALANCER_REQUIRE_REAL=1
export UV_THREADPOOL_SIZE=16
export REBALANCER_LAB_ENV="$PWD/.lab/env"
npx tsc --noEmit
npx vitest run "$@"
