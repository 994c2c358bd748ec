#!/usr/bin/env bash
# start-guest.sh - defines and starts one extra lab VM (booting the lab guest) and waits until
# its guest is ready; for tests that need a guest of their own, e.g. one that dirties memory:
#   start-guest.sh lab-b dirty1 256 <uuid> rb.dirty=16
# reset-vms.sh (without names) removes it again with every other non-test domain.
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ $# -ge 4 ] || { echo "usage: start-guest.sh lab-a|lab-b|lab-c NAME MEMORY_MIB UUID [kernel args...]" >&2; exit 2; }
host=$1 name=$2 mem=$3 uuid=$4
shift 4
h=${host#lab-}
[[ " ${HOSTS[*]} " == *" $h "* ]] || { echo "start-guest.sh: unknown lab host '$host'" >&2; exit 2; }
[[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 128 ] || { echo "start-guest.sh: MEMORY_MIB must be >= 128 (the guest kernel needs it), got '$mem'" >&2; exit 2; }
start_daemon "$h"
bash "$(dirname "$0")/guest.sh"
start_guest "$h" "$name" "$mem" plain "$uuid" "$@"
