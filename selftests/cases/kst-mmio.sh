#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The matrix's virtio-mmio cell: the virtio-blk kselftests vblk_limits,
# vblk_io, vblk_flush, vblk_uring and vblk_mq's queue count and tag depth
# on the stock virtio_blk and on virtio_blk_ng, both over virtio-mmio
# (version 2, -M microvm), in one boot. The driver gets poll_queues=1, so
# the 2-queue disk has one poll queue for vblk_uring's IOPOLL test.
# vng-machine: microvm
# vng-qemu: -global virtio-mmio.force-legacy=false
# vng-qemu: -drive if=none,id=m0,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-device,drive=m0,serial=kst-mmio,num-queues=2
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

KST_COMBOS=${KST_COMBOS:-virtio_mmio:virtio_blk,virtio_mmio:virtio_blk_ng}
for pair in $(kst_pairs); do
	kst_load "$pair" poll_queues=1 || continue
	if m=$(kst_disk kst-mmio); then
		set -- VBLK_DISK="$m" VBLK_SERIAL=kst-mmio VBLK_RO=0 \
			VBLK_SIZE_BYTES=67108864 VBLK_LBS=512 \
			VBLK_DISCARD=1 VBLK_WRITE_ZEROES=1 "VBLK_CACHE=write back"
		kst_run "$pair" vblk_limits "$@"
		kst_run "$pair" vblk_io "$@"
		kst_run "$pair" vblk_flush "$@"
		kst_run "$pair" vblk_uring VBLK_DISK="$m"
		# QEMU's virtio-mmio offers every ring at its maximum (1024
		# entries, QueueNumMax), whatever the device's queue-size.
		kst_run "$pair" vblk_mq VBLK_DISK="$m" VBLK_QUEUES=2 \
			VBLK_POLL_QUEUES=1 VBLK_QUEUE_SIZE=1024 \
			-- -t queue_count -t tag_depth
	else
		fail "$pair: disk kst-mmio appears"
	fi
	kst_unload
done
vng_done
