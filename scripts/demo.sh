#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: install what is needed, create the patched tree, build a small
# kernel with the series' drivers and boot it in QEMU with a virtio disk
# driven by virtio_pci_ng + virtio_blk_ng. Shows what a user would check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs git make gcc flex bison bc libelf-dev libssl-dev ccache cpio kmod \
	xz-utils perl python3 qemu-system-x86 qemu-utils busybox-static liburing-dev
"$TOP/scripts/setup-tree.sh"
"$TOP/scripts/build.sh" demo
guest=$(mktemp /tmp/vng-demo.XXXXXX.sh)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
. /vng/lib.sh
say() { echo; echo "### $*"; }
vng_load virtio_pci_ng virtio_blk_ng
vng_wait_for /dev/vda 20 || { fail "no /dev/vda"; vng_done; }
say "PCI functions and their drivers"
for d in $(vng_pci_virtio_devs); do
	echo "  $d device $(cat /sys/bus/pci/devices/$d/device) -> $(basename "$(readlink /sys/bus/pci/devices/$d/driver)")"
done
say "the disk"
echo "  /dev/vda: $(($(cat /sys/block/vda/size) / 2048)) MiB, driver $(basename "$(readlink /sys/block/vda/device/driver)")"
echo "  serial: $(cat /sys/block/vda/serial 2>/dev/null)  cache_type: $(cat /sys/block/vda/cache_type 2>/dev/null)"
echo "  hardware queues: $(ls /sys/block/vda/mq | wc -l) ($(ls /sys/block/vda/mq | tr '\n' ' '))"
echo "  logical block size: $(cat /sys/block/vda/queue/logical_block_size)  max_sectors_kb: $(cat /sys/block/vda/queue/max_sectors_kb)"
say "a short write and read back (O_DIRECT)"
dd if=/dev/urandom of=/tmp/pat bs=64k count=16 2>/dev/null
dd if=/tmp/pat of=/dev/vda bs=64k count=16 oflag=direct 2>&1 | tail -1
dd if=/dev/vda of=/tmp/back bs=64k count=16 iflag=direct 2>&1 | tail -1
check "data read back matches what was written" cmp /tmp/pat /tmp/back
say "kernel messages from our drivers"
dmesg | grep -E 'virtio_pci_ng|virtio-pci-ng|virtio_blk_ng|vda' | sed 's/^/  /'
vng_done
GUEST
VNG_VERBOSE=1 "$TOP/scripts/boot.sh" -f demo -n demo -t 180 \
	-q "-drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,num-queues=2,serial=demo-disk-0" \
	"$guest" | sed -n '/^VNG-BOOTED/,/^VNG-DMESG-BEGIN/p' | grep -v '^VNG-DMESG-BEGIN'
