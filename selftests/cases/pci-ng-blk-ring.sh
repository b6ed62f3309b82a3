#!/bin/sh
# Ring and device variants under virtio_pci_ng, one disk each:
#   00:04.0 packed=on             -> VIRTIO_F_RING_PACKED (34) negotiated
#   00:05.0 event_idx=off         -> VIRTIO_RING_F_EVENT_IDX (29) not
#   00:06.0 indirect_desc=off     -> VIRTIO_RING_F_INDIRECT_DESC (28) not
#   00:07.0 disable-legacy=on     -> modern-only device ID 0x1042, and
#           page-per-vq=on           a notify region larger than a page
#                                    (each queue's address mapped alone)
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,packed=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,event_idx=off
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d2,addr=0x6,indirect_desc=off
# vng-qemu: -drive if=none,id=d3,file=@DISK3@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d3,addr=0x7,disable-legacy=on,num-queues=4,page-per-vq=on
# vng-timeout: 400
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_blk

# disk_ok BDF: bound to us, disk present, per-queue MSI-X, I/O works
disk_ok() {
	check_eq "$1: bound to virtio-pci-ng" "$(ng_drv "$1")" virtio-pci-ng
	disk=$(ng_child "$1" block)
	check "$1: /dev/$disk appears" vng_wait_for "/dev/$disk"
	check_eq "$1: interrupt mode" "$(ng_mode "$1")" msix-per-vq
	check "$1: O_DIRECT write, read back, compare" ng_io "$disk"
	check "$1: 4 MiB of 4k O_DIRECT reads" \
		dd if="/dev/$disk" of=/dev/null bs=4k count=1024 iflag=direct
}

b=0000:00:04.0
disk_ok $b
check_eq "$b: RING_PACKED negotiated" "$(ng_feature "$(ng_vdev $b)" 34)" 1

b=0000:00:05.0
disk_ok $b
check_eq "$b: EVENT_IDX not negotiated" "$(ng_feature "$(ng_vdev $b)" 29)" 0
check_eq "$b: split ring" "$(ng_feature "$(ng_vdev $b)" 34)" 0

b=0000:00:06.0
disk_ok $b
check_eq "$b: INDIRECT_DESC not negotiated" "$(ng_feature "$(ng_vdev $b)" 28)" 0
check "$b: 1 MiB requests without indirect descriptors" \
	dd if="/dev/$(ng_child $b block)" of=/dev/null bs=1M count=16 iflag=direct

b=0000:00:07.0
check_eq "$b: modern-only device ID" "$(cat /sys/bus/pci/devices/$b/device)" 0x1042
disk_ok $b
# The device offers 4 queues; virtio_blk uses one per CPU (2), and only
# the queues it asks for get vectors.
check_eq "$b: 2 hardware queues" "$(ls "/sys/block/$(ng_child $b block)/mq" | wc -l)" 2
check_eq "$b: 1 + 2 MSI-X vectors" "$(ng_nmsi $b)" 3
vng_done
