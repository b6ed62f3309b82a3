#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio-blk kselftests vblk_limits, vblk_ro and vblk_resize on each driver
# pair (see /vng/kst.sh): a read-only disk with a serial of the maximum 20
# bytes, and a disk the host grows by 32 MiB per pair (QMP block_resize,
# asked for by the guest through the harness's VNG-QMP console line).
# vng-qemu: -drive if=none,id=r,file=@DISK0@,format=raw,readonly=on
# vng-qemu: -device virtio-blk-pci,drive=r,serial=KST-RO-0123456789abc
# vng-qemu: -drive if=none,id=s,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=s,serial=kst-resize
# vng-timeout: 600
. /vng/lib.sh
. /vng/kst.sh

i=0
for pair in $(kst_pairs); do
	i=$((i + 1))
	kst_load "$pair" || continue
	if r=$(kst_disk KST-RO-0123456789abc) && s=$(kst_disk kst-resize); then
		kst_run "$pair ro" vblk_limits VBLK_DISK="$r" VBLK_RO=1 \
			VBLK_SERIAL=KST-RO-0123456789abc VBLK_SIZE_BYTES=67108864
		kst_run "$pair ro" vblk_ro VBLK_DISK="$r" VBLK_RO=1

		size=$(((64 + 32 * i) * 1048576))
		qmp="{\"execute\":\"block_resize\",\"arguments\":{\"device\":\"s\",\"size\":$size}}"
		kst_run "$pair resize" vblk_resize VBLK_DISK="$s" \
			"VBLK_RESIZE_CMD=echo 'VNG-QMP: $qmp' >/dev/console" \
			VBLK_RESIZE_BYTES=$size
	else
		fail "$pair: disks KST-RO-0123456789abc and kst-resize appear"
	fi
	kst_unload
done
vng_done
