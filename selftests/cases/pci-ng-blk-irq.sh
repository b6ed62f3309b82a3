#!/bin/sh
# virtio_pci_ng's interrupt fallback, one disk per mode:
#   00:04.0 enough MSI-X vectors       -> one vector per queue + config
#   00:05.0 vectors=2 for 2 queues     -> config + one shared queue vector
#   00:06.0 vectors=0 (no MSI-X)       -> INTx and the ISR byte
# Each disk does I/O and must see its queue interrupts on the expected
# lines; a QMP block_resize of each disk must reach the driver through
# the config-change interrupt of that mode.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,num-queues=2,vectors=2
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d2,addr=0x6,num-queues=2,vectors=0
# vng-timeout: 400
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_blk

# one_disk BDF DRIVE MODE NMSI QUEUE-IRQ-REGEX
one_disk() {
	bdf=$1 drive=$2 mode=$3 nmsi=$4
	check_eq "$bdf: bound to virtio-pci-ng" "$(ng_drv "$bdf")" virtio-pci-ng
	v=$(ng_vdev "$bdf")
	disk=$(ng_child "$bdf" block)
	check "$bdf: /dev/$disk appears" vng_wait_for "/dev/$disk"
	check_eq "$bdf: interrupt mode" "$(ng_mode "$bdf")" "$mode"
	check_eq "$bdf: MSI-X vectors enabled" "$(ng_nmsi "$bdf")" "$nmsi"
	re=$(printf "$5" "$v")
	before=$(ng_irq_sum "$re")
	check "$bdf: O_DIRECT write, read back, compare" ng_io "$disk"
	after=$(ng_irq_sum "$re")
	check "$bdf: queue interrupts on '$re' ($before -> $after)" \
		test "$after" -gt "$before"

	# Grow the disk to 96 MiB: the device signals a config change.
	echo "VNG-QMP: {\"execute\": \"block_resize\", \"arguments\": {\"device\": \"$drive\", \"size\": 100663296}}"
	_i=0
	while [ "$(cat "/sys/block/$disk/size")" != 196608 ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	check_eq "$bdf: config change seen (new capacity)" "$(cat "/sys/block/$disk/size")" 196608
	check "$bdf: I/O after the resize" ng_io "$disk"
}

one_disk 0000:00:04.0 d0 msix-per-vq 3 ' %s-req\.'
check_eq "00:04.0: names" "$(ng_irq_names "$(ng_vdev 0000:00:04.0)")" "config req.0 req.1 "
one_disk 0000:00:05.0 d1 msix-shared 2 ' %s-virtqueues$'
check_eq "00:05.0: names" "$(ng_irq_names "$(ng_vdev 0000:00:05.0)")" "config virtqueues "
one_disk 0000:00:06.0 d2 intx 0 ' %s-intx'
check_eq "00:06.0: names" "$(ng_irq_names "$(ng_vdev 0000:00:06.0)")" "intx "
check "00:06.0: no MSI-X capability used" sh -c '! grep -q PCI-MSIX-0000:00:06.0 /proc/interrupts'
vng_done
