#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio-blk kselftest vblk_uring (batched io_uring submission, queue depth
# and beyond, IOPOLL) on each driver pair (see /vng/kst.sh). The driver gets
# poll_queues=1: disk p (2 queues) has one poll queue, disk n (1 queue)
# none, where polled I/O must be refused.
# vng-qemu: -drive if=none,id=p,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=p,serial=kst-uring-p,num-queues=2
# vng-qemu: -drive if=none,id=n,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=n,serial=kst-uring-n,num-queues=1
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

for pair in $(kst_pairs); do
	kst_load "$pair" poll_queues=1 || continue
	if p=$(kst_disk kst-uring-p) && n=$(kst_disk kst-uring-n); then
		kst_run "$pair p" vblk_uring VBLK_DISK="$p"
		kst_run "$pair n" vblk_uring VBLK_DISK="$n"
	else
		fail "$pair: disks kst-uring-p and kst-uring-n appear"
	fi
	kst_unload
done
vng_done
