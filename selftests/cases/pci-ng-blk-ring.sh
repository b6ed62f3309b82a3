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
# ---- virtio_pci_ng helpers (the same block in every pci-ng-* case) ----
# ng_bdfs ID: the virtio functions with PCI device ID ID (e.g. 0x1042)
ng_bdfs() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = 0x1af4 ] && [ "$(cat "$_d/device")" = "$1" ] &&
			basename "$_d"
	done
	return 0
}
# ng_drv BDF: the PCI driver bound to BDF (empty if none)
ng_drv() { _l=$(readlink "/sys/bus/pci/devices/$1/driver") && basename "$_l"; }
# ng_vdev BDF: the virtio device (virtioN) registered for BDF
ng_vdev() {
	for _v in /sys/bus/pci/devices/"$1"/virtio*; do
		[ -e "$_v" ] && basename "$_v"
	done
	return 0
}
# ng_child BDF CLASS: the CLASS (block, net) device of BDF's virtio device
ng_child() {
	for _c in /sys/bus/pci/devices/"$1"/virtio*/"$2"/*; do
		[ -e "$_c" ] && basename "$_c"
	done
	return 0
}
# ng_irq_names VDEV: the interrupts VDEV's transport requested (suffixes)
ng_irq_names() {
	grep -oE " $1-[^ ,]+" /proc/interrupts | sed "s/^ $1-//" | sort | tr '\n' ' '
}
# ng_mode BDF: virtio_pci_ng's interrupt mode, told by the interrupt names
ng_mode() {
	case " $(ng_irq_names "$(ng_vdev "$1")")" in
	*" intx "*) echo intx ;;
	*" virtqueues "*) echo msix-shared ;;
	*" config "*) echo msix-per-vq ;;
	*) echo none ;;
	esac
}
# ng_nmsi BDF: MSI/MSI-X vectors enabled on BDF
ng_nmsi() { ls "/sys/bus/pci/devices/$1/msi_irqs" 2>/dev/null | wc -l; }
# ng_irq_sum REGEX: interrupts counted on the /proc/interrupts lines matching REGEX
ng_irq_sum() {
	grep -E "$1" /proc/interrupts |
		awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }'
}
# ng_feature VDEV BIT: 1 if feature BIT was negotiated
ng_feature() { cut -c $(($2 + 1)) "/sys/bus/virtio/devices/$1/features"; }
# ng_io DISK: write 1 MiB with O_DIRECT, read it back with O_DIRECT, compare
ng_io() {
	dd if=/dev/urandom of="/tmp/w.$1" bs=64k count=16 2>/dev/null &&
		dd if="/tmp/w.$1" of="/dev/$1" bs=64k count=16 oflag=direct 2>/dev/null &&
		dd if="/dev/$1" of="/tmp/r.$1" bs=64k count=16 iflag=direct 2>/dev/null &&
		cmp "/tmp/w.$1" "/tmp/r.$1"
}
# ---- end of helpers ----

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
