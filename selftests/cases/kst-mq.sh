#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio-blk kselftest vblk_mq (blk-mq queue mapping and per-CPU routing)
# on each driver pair (see /vng/kst.sh), 4 CPUs, disks with 1, 2 and 4
# queues, without and with a poll queue. The disks are throttled so that
# requests stay in flight long enough to be seen on their hardware queue.
# vng-qemu: -smp 4
# vng-qemu: -drive if=none,id=q1,file=@DISK0@,format=raw,throttling.iops-total=200
# vng-qemu: -device virtio-blk-pci,drive=q1,serial=kst-mq-1,num-queues=1
# vng-qemu: -drive if=none,id=q2,file=@DISK1@,format=raw,throttling.iops-total=200
# vng-qemu: -device virtio-blk-pci,drive=q2,serial=kst-mq-2,num-queues=2
# vng-qemu: -drive if=none,id=q4,file=@DISK2@,format=raw,throttling.iops-total=200
# vng-qemu: -device virtio-blk-pci,drive=q4,serial=kst-mq-4,num-queues=4
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

check_eq "guest has 4 CPUs" "$(nproc)" 4
for pair in $(kst_pairs); do
	for poll in 0 1; do
		kst_load "$pair" poll_queues=$poll || continue
		for n in 1 2 4; do
			if ! d=$(kst_disk kst-mq-$n); then
				fail "$pair: disk kst-mq-$n appears"
				break
			fi
			kst_run "$pair poll_queues=$poll q$n" vblk_mq \
				VBLK_DISK="$d" VBLK_QUEUES=$n \
				VBLK_POLL_QUEUES=$poll VBLK_QUEUE_SIZE=256
		done
		kst_unload
	done
done
vng_done
