#!/usr/bin/env bash
# down.sh - stops what up.sh started, using only the lab's PID files, and removes the lab's
# network namespaces.   down.sh --purge  also deletes the per-host state (.lab/hosts).
set -uo pipefail
source "$(dirname "$0")/common.sh"

stop_pid() { # stop_pid PID what: SIGTERM, up to 10 s, then SIGKILL
  local pid=$1 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 100); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

for h in "${HOSTS[@]}"; do
  D=$(hostdir "$h")
  [ -d "$D" ] || continue
  if daemon_running "$h"; then
    for dom in $(vsh "$h" list --name 2>/dev/null); do vsh "$h" destroy "$dom" >/dev/null 2>&1; done
  fi
  # QEMU left over while the daemon was down: its PID files are in <host>/run/qemu/*.pid
  for pf in "$D"/run/qemu/*.pid; do
    [ -f "$pf" ] || continue
    qpid=$(cat "$pf" 2>/dev/null || true)
    if alive "$qpid" && grep -q qemu-system "/proc/$qpid/cmdline" 2>/dev/null; then stop_pid "$qpid"; fi
  done
  stop_daemon "$h"
  echo "[lab] $(hostname_of "$h") stopped"
done
for ns in "${HOSTS[@]/#/$NETNS_PREFIX-}" "$SWITCH_NS"; do
  has_netns "$ns" && ip netns del "$ns"
done
rm -f "$LAB/env" "$LAB/hosts.json"
[ "${1:-}" = --purge ] && rm -rf "$LAB/hosts" && echo "[lab] removed $LAB/hosts"
exit 0
