#!/usr/bin/env bash
# up.sh - a three-host libvirt/QEMU lab on one machine, for the real-libvirt tests.
#
# Hosts lab-a, lab-b, lab-c: each is one libvirtd started in its own
#   * network namespace rblab-<x>, with address 10.201.0.<n>/24 on a veth whose peer sits on a
#     bridge in namespace rblab-sw. These addresses exist only inside the lab namespaces;
#     nothing is configured in the root namespace.
#   * mount namespace: /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt,
#     /var/cache/libvirt, /etc/hosts, /etc/passwd, /etc/group bind-mounted from .lab/hosts/<x>/
#   * UTS namespace (own hostname) and own host_uuid: libvirt refuses a migration to "the same host".
# Clients in the root namespace use each daemon's UNIX socket (qemu+unix:///system?socket=...);
# daemons reach each other over TCP (qemu+tcp://10.201.0.n/system, no auth: lab only) for
# peer-to-peer migration; QEMU streams use ports 49152-49261 on the lab addresses.
# Each host has an "images" dir pool (/var/lib/libvirt/images, per host: not shared).
# Test VMs defined and started on lab-a, each booting the lab guest (guest.sh: Debian's kernel and
# a busybox initramfs): small1, small2 (64 MiB), disky (64 MiB + local qcow2 disk: block
# migration), big (512 MiB, 384 MiB of it random data: slow enough to watch progress and
# abort).
# Writes .lab/env (shell) and .lab/hosts.json. Idempotent: re-running keeps what runs.
# Needs root and the packages of scripts/system-deps.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || { echo "[lab] needs root (network namespaces)" >&2; exit 1; }
command -v libvirtd >/dev/null || { echo "[lab] libvirtd missing: run scripts/system-deps.sh" >&2; exit 1; }
T0=$(now_ns)
mkdir -p "$LAB/logs"

setup_network() {
  has_netns "$SWITCH_NS" || ip netns add "$SWITCH_NS"
  ip -n "$SWITCH_NS" link show br0 >/dev/null 2>&1 || ip -n "$SWITCH_NS" link add br0 type bridge
  ip -n "$SWITCH_NS" link set br0 up
  local h
  for h in "${HOSTS[@]}"; do
    local ns=$NETNS_PREFIX-$h
    has_netns "$ns" || ip netns add "$ns"
    ip -n "$ns" link set lo up
    if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      # both ends are created directly inside lab namespaces, never in the root namespace
      ip link add eth0 netns "$ns" type veth peer name "port-$h" netns "$SWITCH_NS"
      ip -n "$SWITCH_NS" link set "port-$h" master br0 up
      ip -n "$ns" addr add "${IP[$h]}/24" dev eth0
      ip -n "$ns" link set eth0 up
    fi
  done
}

write_host_config() {
  local h=$1 D; D=$(hostdir "$1")
  mkdir -p "$D"/{etc,run,lib,log,cache} "$D/lib/qemu" "$D/lib/images" "$D/log/qemu"
  cat >"$D/etc/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "${IP[$h]}"
tcp_port = "16509"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_rw_perms = "0770"
host_uuid = "${HUUID[$h]}"
log_level = 3
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
keepalive_interval = 5
CONF
  # QEMU runs as root without cgroups or per-VM /dev: the three daemons share one machine.
  cat >"$D/etc/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "${IP[$h]}"
migration_host = "${IP[$h]}"
migration_port_min = $MIGRATION_PORT_MIN
migration_port_max = $MIGRATION_PORT_MAX
CONF
  : >"$D/etc/libvirt.conf"
  { echo "127.0.0.1 localhost"; for x in "${HOSTS[@]}"; do echo "${IP[$x]} $(hostname_of "$x")"; done; } >"$D/hosts"
  # Debian's QEMU driver looks up user/group libvirt-qemu at start; only libvirt-daemon-system
  # creates them. Each host namespace gets its own passwd/group copy with them added.
  cp /etc/passwd "$D/passwd"; cp /etc/group "$D/group"
  getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin' >>"$D/passwd"
  getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>"$D/group"
  cat >"$D/init.sh" <<INIT
#!/bin/bash
set -e
hostname $(hostname_of "$h")
mount --bind $D/hosts /etc/hosts
mount --bind $D/passwd /etc/passwd
mount --bind $D/group /etc/group
mount --bind $D/etc /etc/libvirt
mount --bind $D/run /run/libvirt
mount --bind $D/lib /var/lib/libvirt
mount --bind $D/log /var/log/libvirt
mount --bind $D/cache /var/cache/libvirt
$( [ "$h" = "$OTHER_CPU_HOST" ] && echo "mount --bind $D/cpu_map /usr/share/libvirt/cpu_map" )
exec /usr/sbin/libvirtd --listen --config /etc/libvirt/libvirtd.conf --pid-file $D/libvirtd.pid
INIT
  chmod +x "$D/init.sh"
}

# lab-c names its CPU differently (as a host of another CPU generation would): its libvirt gets
# a copy of the CPU map with one more model, lab-c-kvm64 (kvm64 without pni, plus features this
# machine has), which describes the host CPU more closely than kvm64. host-passthrough guests
# then cannot move between lab-c and the others; other guests are judged by QEMU's answers.
write_other_cpu_map() {
  local D; D=$(hostdir "$OTHER_CPU_HOST")
  [ -f "$D/cpu_map/x86_lab-c-kvm64.xml" ] && return 0
  rm -rf "$D/cpu_map.tmp"
  cp -r /usr/share/libvirt/cpu_map "$D/cpu_map.tmp"
  local more="    <feature name='vme'/>\n    <feature name='x2apic'/>\n    <feature name='hypervisor'/>"
  sed -e "s/name='kvm64'/name='lab-c-kvm64'/" -e "/name='pni'/d" -e "s/guest='on'/guest='off'/" \
    -e "s#<feature name='apic'/>#&\n$more#" \
    /usr/share/libvirt/cpu_map/x86_kvm64.xml >"$D/cpu_map.tmp/x86_lab-c-kvm64.xml"
  local kvm64="<include filename='x86_kvm64.xml'/>"
  sed -i "s#$kvm64#&\n    <include filename='x86_lab-c-kvm64.xml'/>#" "$D/cpu_map.tmp/index.xml"
  rm -rf "$D/cpu_map"
  mv "$D/cpu_map.tmp" "$D/cpu_map"
}

write_configs() {
  # mount points for the bind mounts (left empty in the root namespace)
  mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
  local h; for h in "${HOSTS[@]}"; do write_host_config "$h"; done
  write_other_cpu_map
}

start_daemons() {
  local h
  # a daemon started before the CPU map existed is restarted (its VMs keep running)
  if daemon_running "$OTHER_CPU_HOST" && [[ $(vsh "$OTHER_CPU_HOST" capabilities) != *lab-c-kvm64* ]]; then
    stop_daemon "$OTHER_CPU_HOST"
  fi
  for h in "${HOSTS[@]}"; do start_daemon "$h" & done
  wait
  for h in "${HOSTS[@]}"; do daemon_running "$h" || { echo "[lab] $(hostname_of "$h") failed" >&2; exit 1; }; done
}

define_pools() {
  local h
  for h in "${HOSTS[@]}"; do
    if ! vsh "$h" pool-info images >/dev/null 2>&1; then
      vsh "$h" pool-define-as images dir --target /var/lib/libvirt/images >/dev/null
      vsh "$h" pool-autostart images >/dev/null
    fi
    [[ $(vsh "$h" pool-info images) == *running* ]] || vsh "$h" pool-start images >/dev/null
  done
}

make_blob() {
  [ "$(stat -c %s "$LAB/ram-blob.bin" 2>/dev/null || echo 0)" = $((BLOB_MIB * 1024 * 1024)) ] && return 0
  head -c $((BLOB_MIB * 1024 * 1024)) /dev/urandom >"$LAB/ram-blob.bin.tmp"
  mv "$LAB/ram-blob.bin.tmp" "$LAB/ram-blob.bin"
}

write_env() {
  local h first=1
  {
    echo "# written by scripts/lab/up.sh"
    echo "REBALANCER_LAB_DIR='$LAB'"
    echo "REBALANCER_LAB_PREFIX='$NETNS_PREFIX'"
    echo "REBALANCER_LAB_HOSTS='$(for h in "${HOSTS[@]}"; do printf '%s ' "$(hostname_of "$h")"; done | sed 's/ $//')'"
    for h in "${HOSTS[@]}"; do
      local v; v=$(echo "$h" | tr a-z A-Z)
      echo "REBALANCER_LAB_${v}_URI='$(uri "$h")'"
      echo "REBALANCER_LAB_${v}_MIGRATION_URI='$(migration_uri "$h")'"
    done
  } >"$LAB/env"
  {
    echo "{"
    echo "  \"labDir\": \"$LAB\","
    echo "  \"netnsPrefix\": \"$NETNS_PREFIX\","
    echo "  \"hosts\": ["
    for h in "${HOSTS[@]}"; do
      [ $first = 1 ] || echo ","
      first=0
      printf '    { "name": "%s", "uri": "%s", "migrationUri": "%s", "cell": "lab", "address": "%s", "id": "%s" }' \
        "$(hostname_of "$h")" "$(uri "$h")" "$(migration_uri "$h")" "${IP[$h]}" "$h"
    done
    echo; echo "  ],"
    echo "  \"vms\": ["
    first=1
    local vm name mem kind uuid
    for vm in "${VMS[@]}"; do
      IFS=: read -r name mem kind uuid <<<"$vm"
      [ $first = 1 ] || echo ","
      first=0
      printf '    { "name": "%s", "uuid": "%s", "memoryMb": %s, "kind": "%s" }' "$name" "$uuid" "$mem" "$kind"
    done
    echo; echo "  ]"
    echo "}"
  } >"$LAB/hosts.json"
}

step "network namespaces + bridge" setup_network
step "per-host configuration" write_configs
step "start 3 libvirtd" start_daemons
step "images pools" define_pools
step "random RAM blob (${BLOB_MIB} MiB)" make_blob
step "lab guest (kernel + busybox initramfs)" bash "$(dirname "$0")/guest.sh"
write_env
step "test VMs on lab-a" bash "$(dirname "$0")/reset-vms.sh" --if-missing
printf '[lab] up in %ss: %s\n' "$(secs_since "$T0")" "$LAB/hosts.json"
for h in "${HOSTS[@]}"; do echo "[lab] $(hostname_of "$h"): $(uri "$h")"; done
