# common.sh - shared definitions of the three-host libvirt lab (sourced by up.sh, down.sh,
# daemon.sh, reset-vms.sh). Each lab host is one libvirtd in its own network, mount and UTS
# namespace; see up.sh for the layout.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=${REBALANCER_LAB_DIR:-$REPO/.lab}
HOSTS=(a b c)
declare -A IP=([a]=10.201.0.1 [b]=10.201.0.2 [c]=10.201.0.3)
# libvirt refuses a migration "to the same host" when host UUIDs (or hostnames) are equal;
# a host_uuid must also not be one repeated digit.
declare -A HUUID=([a]=6d3f1c9e-2b7a-4c85-9e41-7a5b0c2d1e0a [b]=6d3f1c9e-2b7a-4c85-9e41-7a5b0c2d1e0b [c]=6d3f1c9e-2b7a-4c85-9e41-7a5b0c2d1e0c)
OTHER_CPU_HOST=c   # its libvirt names the host CPU differently (see up.sh write_other_cpu_map)
NETNS_PREFIX=${REBALANCER_LAB_PREFIX:-rblab}   # another prefix (and REBALANCER_LAB_DIR) runs a second lab beside this one
SWITCH_NS=$NETNS_PREFIX-sw
MIGRATION_PORT_MIN=49152
MIGRATION_PORT_MAX=49261
# test VMs: name:memory MiB:kind:uuid (kind: plain | disk | blob). Every VM boots the lab guest
# (guest.sh: Debian's kernel + a busybox initramfs).
VMS=(
  small1:128:plain:4e1d7a60-5b1c-4c0e-9a11-000000000001
  small2:128:plain:4e1d7a60-5b1c-4c0e-9a11-000000000002
  disky:128:disk:4e1d7a60-5b1c-4c0e-9a11-000000000003
  big:512:blob:4e1d7a60-5b1c-4c0e-9a11-000000000004
)
# the blob VM gets this much random data loaded into its RAM at BLOB_ADDR (QEMU's loader device,
# no guest CPU spent), above the kernel (16 MiB + ~45 MiB) and below the initrd at the top of RAM
BLOB_MIB=384
BLOB_ADDR=0x6000000
GUEST_BOOT_TIMEOUT=60
# Domain type of the lab VMs: qemu (TCG emulation) unless REBALANCER_LAB_VIRT=kvm. TCG boots the
# guest kernel in ~2 s everywhere; some nested "KVM" implementations (e.g. PVM sandboxes) cannot
# run an unmodified kernel at usable speed. Migration and dirty tracking work the same on both.
LAB_VIRT=${REBALANCER_LAB_VIRT:-qemu}

hostname_of() { echo "lab-$1"; }
hostdir() { echo "$LAB/hosts/$1"; }
uri() { echo "qemu+unix:///system?socket=$(hostdir "$1")/run/libvirt-sock"; }
migration_uri() { echo "qemu+tcp://${IP[$1]}/system"; }
vsh() { local h=$1; shift; virsh -q -c "$(uri "$h")" "$@"; }   # virsh against lab host h

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN{printf "%.1f", (b-a)/1e9}'; }
step() { # step "title" cmd... : run and time one step
  local t title=$1; t=$(now_ns); shift
  "$@"
  printf '[lab] %-44s %6ss\n' "$title" "$(secs_since "$t")"
}

# (output captured first: `ip netns list | grep -q` can fail under pipefail by SIGPIPE)
has_netns() { [[ " $(ip netns list | cut -d' ' -f1 | tr '\n' ' ') " == *" $1 "* ]]; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
daemon_pid() { cat "$(hostdir "$1")/libvirtd.pid" 2>/dev/null || true; }
daemon_running() { alive "$(daemon_pid "$1")"; }

# Starts host h's libvirtd in its namespaces (init.sh written by up.sh) and waits for its socket.
start_daemon() {
  local h=$1 D; D=$(hostdir "$1")
  daemon_running "$h" && return 0
  rm -f "$D/libvirtd.pid" "$D/run/libvirt-sock"
  # ip netns exec -> unshare -> init.sh -> exec libvirtd: all exec, so this PID is libvirtd's
  setsid ip netns exec "$NETNS_PREFIX-$h" unshare --mount --uts --propagation private -- "$D/init.sh" \
    >>"$D/libvirtd.stdout" 2>&1 </dev/null &
  local i
  for i in $(seq 1 150); do
    vsh "$h" hostname >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "[lab] libvirtd of $(hostname_of "$h") did not come up; see $D/libvirtd.stdout and $D/log/libvirtd.log" >&2
  return 1
}

# Stops host h's libvirtd (SIGTERM, then SIGKILL after 10 s). Its VMs keep running, as on a
# real host whose daemon is restarted.
stop_daemon() {
  local h=$1 pid i; pid=$(daemon_pid "$1")
  alive "$pid" || return 0
  kill -TERM "$pid"
  for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  alive "$pid" && kill -KILL "$pid"
  rm -f "$(hostdir "$h")/libvirtd.pid"
}

# vm_xml name mem kind uuid [kernel args...]: the domain XML of a lab VM booting the lab guest.
# The serial console goes to /var/log/libvirt/qemu/<name>.console on the host running it.
vm_xml() {
  local name=$1 mem=$2 kind=$3 uuid=$4; shift 4
  local args="console=ttyS0 quiet panic=-1 $*"
  echo "<domain type='$LAB_VIRT' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
  echo "  <name>$name</name><uuid>$uuid</uuid>"
  echo "  <memory unit='MiB'>$mem</memory><vcpu>1</vcpu>"
  case $name in
    small1|small2) echo "  <metadata><rb:placement xmlns:rb='https://rebalancer.dev/xmlns/1'><rb:serverGroup>lab-group</rb:serverGroup><rb:pinned>false</rb:pinned></rb:placement></metadata>" ;;
  esac
  [ "$name" = small2 ] && echo "  <cpu mode='custom' match='exact'><model fallback='allow'>kvm64</model></cpu>"
  echo "  <os><type arch='x86_64' machine='pc'>hvm</type>"
  echo "    <kernel>$LAB/guest/vmlinux</kernel><initrd>$LAB/guest/initrd.img</initrd><cmdline>$args</cmdline></os>"
  echo "  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>"
  echo "  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
  echo "    <controller type='usb' model='none'/><memballoon model='none'/>"
  echo "    <serial type='file'><source path='/var/log/libvirt/qemu/$name.console'/><target port='0'/></serial>"
  # local (per-host) image: not shared storage, so it moves by block migration
  [ "$kind" = disk ] && echo "    <disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/><source file='/var/lib/libvirt/images/$name.qcow2'/><target dev='vda' bus='virtio'/></disk>"
  echo "  </devices>"
  [ "$kind" = blob ] && echo "  <qemu:commandline><qemu:arg value='-device'/><qemu:arg value='loader,file=$LAB/ram-blob.bin,addr=$BLOB_ADDR,force-raw=on'/></qemu:commandline>"
  echo "</domain>"
}

# start_guest h name mem kind uuid [kernel args...]: defines and starts the VM on host h and
# waits until its guest says it is ready on the serial console (fill done, dirty loop running).
start_guest() {
  local h=$1 name=$2 xml=$LAB/vm-$2.xml i
  local console; console=$(hostdir "$h")/log/qemu/$name.console
  vm_xml "${@:2}" >"$xml"
  rm -f "$console"
  vsh "$h" define "$xml" >/dev/null || return 1
  vsh "$h" start "$name" >/dev/null || return 1
  for i in $(seq 1 $((GUEST_BOOT_TIMEOUT * 10))); do
    grep -qs 'rb-guest: ready' "$console" && return 0
    sleep 0.1
  done
  echo "[lab] guest $name on $(hostname_of "$h") not ready after ${GUEST_BOOT_TIMEOUT}s; console: $console" >&2
  return 1
}
