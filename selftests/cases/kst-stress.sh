#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio-blk kselftest vblk_stress (threads mixing reads, writes, flushes,
# discards and write-zeroes over overlapping ranges, verified) on each driver
# pair (see /vng/kst.sh), KST_STRESS_SECS seconds per pair (default 12, 20
# with --full; a
# kernel argument sets it: VNG_KARGS=KST_STRESS_SECS=300 for a long run).
# vng-qemu: -drive if=none,id=x,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-pci,drive=x,serial=kst-stress,num-queues=2
# vng-timeout: 600
. /vng/lib.sh
. /vng/kst.sh

secs=${KST_STRESS_SECS:-}
if [ -z "$secs" ]; then
	secs=12
	grep -qw vng.full=1 /proc/cmdline && secs=20
fi

for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	if x=$(kst_disk kst-stress); then
		kst_run "$pair" vblk_stress VBLK_DISK="$x" \
			VBLK_STRESS_SECS="$secs"
	else
		fail "$pair: disk kst-stress appears"
	fi
	kst_unload
done
vng_done
