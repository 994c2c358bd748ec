#!/usr/bin/env bash
# system-deps.sh - the Debian 12 packages the real-part tests need: libvirt + QEMU (lab hosts and
# the libvirt binding build), Debian's kernel and a static busybox (the lab guest, see
# scripts/lab/guest.sh), Chromium (headless report rendering), systemd and strace
# (systemd-analyze verify of contrib/rebalancer.service; the traced check of its system call
# filter), prometheus (promtool checks /metrics) and postgresql (the PostgreSQL store's tests start
# a server of their own from its binaries; the cluster Debian starts does not matter). Idempotent:
# does nothing when every package is already installed. Needs root. Output goes to .lab/logs/apt.log.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev
      qemu-system-x86 qemu-utils iproute2 pkg-config python3 make g++ patch chromium systemd strace
      prometheus linux-image-amd64 busybox-static cpio postgresql)
LOG_DIR=.lab/logs
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/apt.log
t0=$(date +%s%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}'; }

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[system-deps] all ${#PKGS[@]} packages present ($(elapsed)s)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "[system-deps] missing packages (${missing[*]}) and not root: install them with apt-get" >&2
  exit 1
fi
echo "[system-deps] installing: ${missing[*]} (log: $LOG)"
export DEBIAN_FRONTEND=noninteractive
# libvirt-daemon-system is deliberately left out: it only adds systemd units, the default network
# and users; the lab starts its daemons itself.
# another apt run (e.g. a parallel job) may hold the dpkg lock: wait for it instead of failing
APT=(apt-get -o DPkg::Lock::Timeout=600)
if ! { "${APT[@]}" update -qq && "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}"; } >"$LOG" 2>&1; then
  echo "[system-deps] apt-get failed; last lines of $LOG:" >&2
  tail -20 "$LOG" >&2
  exit 1
fi
echo "[system-deps] installed ${#missing[@]} packages in $(elapsed)s"
