#!/usr/bin/env bash
# reset-vms.sh - puts the lab's test VMs back to the known state: defined and running on lab-a
# only. Starts any lab daemon that is down first.
#   reset-vms.sh                 remove EVERY domain on all lab hosts, then define + start the four
#                                test VMs on lab-a (with a fresh, empty disky disk)
#   reset-vms.sh small1 disky    only these VMs (others are left alone)
#   reset-vms.sh --if-missing    only (re)define + start VMs running on no host (used by up.sh)
set -euo pipefail
source "$(dirname "$0")/common.sh"

remove_everywhere() { # remove_everywhere name: destroy + undefine on every host, delete its images
  local name=$1 h
  for h in "${HOSTS[@]}"; do
    # a migration left running (e.g. by a killed test) holds the domain's job lock
    vsh "$h" domjobabort "$name" >/dev/null 2>&1 || true
    vsh "$h" destroy "$name" >/dev/null 2>&1 || true
    vsh "$h" undefine "$name" >/dev/null 2>&1 || true
    rm -f "$(hostdir "$h")/lib/images/$name.qcow2"
  done
}

define_on_a() { # define_on_a name mem kind uuid
  local name=$1 kind=$3
  [ "$kind" = disk ] && qemu-img create -q -f qcow2 "$(hostdir a)/lib/images/$name.qcow2" 64M
  start_guest a "$@"
}

running_anywhere() { local h; for h in "${HOSTS[@]}"; do [[ $(vsh "$h" domstate "$1" 2>/dev/null) == running* ]] && return 0; done; return 1; }

mode=all; wanted=()
for arg in "$@"; do
  case $arg in --if-missing) mode=missing ;; *) mode=named; wanted+=("$arg") ;; esac
done
for h in "${HOSTS[@]}"; do start_daemon "$h"; done
# a lab started before the guest existed gets it now (a no-op when it is up to date)
bash "$(dirname "$0")/guest.sh"
# VMs are handled in parallel: destroying a QEMU process takes libvirt 1-2 s each
pids=()
if [ $mode = all ]; then
  test_vms=" ${VMS[*]%%:*} "
  for h in "${HOSTS[@]}"; do
    for d in $(vsh "$h" list --all --name); do
      [[ "$test_vms" == *" $d "* ]] || { remove_everywhere "$d" & pids+=($!); }
    done
  done
fi
for vm in "${VMS[@]}"; do
  IFS=: read -r name mem kind uuid <<<"$vm"
  case $mode in
    named) [[ " ${wanted[*]} " == *" $name "* ]] || continue ;;
    missing) running_anywhere "$name" && continue ;;
  esac
  { remove_everywhere "$name" && define_on_a "$name" "$mem" "$kind" "$uuid" || { echo "[lab] reset of $name failed" >&2; exit 1; }; } & pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
for h in "${HOSTS[@]}"; do vsh "$h" pool-refresh images >/dev/null 2>&1 || true; done
exit $status
