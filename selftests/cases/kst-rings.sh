#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The matrix's ring and interrupt cells: virtio-blk kselftests vblk_io,
# vblk_uring and vblk_mq's queue count and tag depth (its per-CPU routing
# needs throttled disks: kst-mq) on each driver pair (see /vng/kst.sh), on
# seven disks in one boot (virtio_pci_ng + virtio_blk_ng: all seven; the
# pairs with the stock transport: three of them unless KST_RINGS_ALL=1 is
# on the kernel command line):
#   q64    64-entry ring, 1 queue         q1024  1024-entry ring, 2 queues
#   packed packed ring                    noevt  no EVENT_IDX
#   noind  no indirect descriptors        intx   no MSI-X (vectors=0: INTx)
#   few    2 queues, 2 vectors (config + one vector shared by the vqs)
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,serial=kr-q64,queue-size=64,num-queues=1
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,serial=kr-q1024,queue-size=1024,num-queues=2
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d2,serial=kr-packed,packed=on
# vng-qemu: -drive if=none,id=d3,file=@DISK3@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d3,serial=kr-noevt,event_idx=off
# vng-qemu: -drive if=none,id=d4,file=@DISK4@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d4,serial=kr-noind,indirect_desc=off,num-queues=1
# vng-qemu: -drive if=none,id=d5,file=@DISK5@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d5,serial=kr-intx,vectors=0,num-queues=2
# vng-qemu: -drive if=none,id=d6,file=@DISK6@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d6,serial=kr-few,vectors=2,num-queues=2
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

# msix_count DISK: MSI-X vectors its PCI function has enabled.
msix_count() {
	ls "/sys/block/$1/device/../msi_irqs" 2>/dev/null | wc -l
}

# cell SERIAL QUEUES RING: the kselftests on one disk of the loaded pair.
cell() {
	if ! _d=$(kst_disk "$1"); then
		fail "$pair: disk $1 appears"
		return 1
	fi
	kst_run "$pair $1" vblk_mq VBLK_DISK="$_d" VBLK_QUEUES="$2" \
		VBLK_QUEUE_SIZE="$3" -- -t queue_count -t tag_depth
	kst_run "$pair $1" vblk_io VBLK_DISK="$_d"
	kst_run "$pair $1" vblk_uring VBLK_DISK="$_d"
}

# The ring layout and the interrupt mode are what the transport sets up:
# virtio_pci_ng gets every cell; over the stock virtio_pci (the reference,
# and virtio_blk_ng on it) the cells that change them the most suffice in
# the default run (KST_RINGS_ALL=1: all seven).
for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	cell kr-q1024 2 1024
	cell kr-packed 2 256
	cell kr-intx 2 256
	if [ "${pair%%:*}" = virtio_pci_ng ] || [ "${KST_RINGS_ALL:-0}" = 1 ]; then
		cell kr-q64 1 64
		cell kr-noevt 2 256
		cell kr-noind 1 256
		cell kr-few 2 256
	fi
	# The transport really fell back: INTx has no MSI-X vectors, the
	# few-vector function shares one between its queues.
	d=$(kst_disk kr-intx) &&
		check_eq "$pair kr-intx: no MSI-X" "$(msix_count "$d")" 0
	d=$(kst_disk kr-few) &&
		check_eq "$pair kr-few: 2 MSI-X vectors" "$(msix_count "$d")" 2
	kst_unload
done
vng_done
