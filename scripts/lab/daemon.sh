#!/usr/bin/env bash
# daemon.sh - stop, start or query ONE lab host's libvirtd (its VMs keep running while it is down):
#   daemon.sh stop lab-b | start lab-b | status lab-b
set -euo pipefail
source "$(dirname "$0")/common.sh"
action=${1:-}; host=${2:-}
h=${host#lab-}
[[ " ${HOSTS[*]} " == *" $h "* ]] || { echo "usage: daemon.sh stop|start|status lab-a|lab-b|lab-c (got '$host')" >&2; exit 2; }
case $action in
  stop) stop_daemon "$h" ;;
  start) start_daemon "$h" ;;
  status) if daemon_running "$h"; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "usage: daemon.sh stop|start|status <host> (got action '$action')" >&2; exit 2 ;;
esac
