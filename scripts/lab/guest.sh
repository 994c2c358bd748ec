#!/usr/bin/env bash
# guest.sh - builds the lab guest: Debian's kernel (package linux-image-amd64) and a busybox
# initramfs (busybox-static) whose /init is scripts/lab/guest/init, into .lab/guest/
# (vmlinux, initrd.img). The lab VMs boot them directly (<os><kernel>/<initrd>), so they run a
# real kernel with real memory contents. The kernel is unpacked from Debian's bzImage to its ELF
# image, which QEMU starts at its PVH entry point in 64-bit mode: no real-mode set-up and no
# decompression in the guest (under TCG the bzImage path alone takes minutes). Idempotent: a
# stamp of the kernel, busybox and init skips the build when nothing changed. Needs root (the
# initramfs holds a /dev/console device node) and python3 (unpacking the kernel).
set -euo pipefail
source "$(dirname "$0")/common.sh"
G=$LAB/guest
kernel=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1 || true)
[ -n "$kernel" ] || { echo "[lab] no /boot/vmlinuz-*-amd64: install linux-image-amd64 (scripts/system-deps.sh)" >&2; exit 1; }
busybox=/bin/busybox
ldd "$busybox" >/dev/null 2>&1 && { echo "[lab] $busybox is not static: install busybox-static (scripts/system-deps.sh)" >&2; exit 1; }
init=$REPO/scripts/lab/guest/init
stamp="$kernel $(sha256sum "$kernel" "$busybox" "$init" "$0" | cut -c1-16 | tr '\n' ' ')"
[ -f "$G/.stamp" ] && [ "$(cat "$G/.stamp")" = "$stamp" ] && exit 0
mkdir -p "$G"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mem}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$init" "$root/init"
mknod -m 600 "$root/dev/console" c 5 1
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$G/initrd.img.tmp"
mv "$G/initrd.img.tmp" "$G/initrd.img"
# the bzImage carries the ELF kernel as one XZ stream (Debian: CONFIG_KERNEL_XZ)
python3 - "$kernel" "$G/vmlinux.tmp" <<'PY'
import lzma, sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\xfd7zXZ\x00')
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:]) if start >= 0 else b''
if not elf.startswith(b'\x7fELF'):
    sys.exit(f'{sys.argv[1]}: no XZ-compressed ELF kernel inside')
open(sys.argv[2], 'wb').write(elf)
PY
mv "$G/vmlinux.tmp" "$G/vmlinux"
echo "$stamp" >"$G/.stamp"
