#!/bin/sh
# virtio_pci_ng beside the stock virtio_pci: both modules loaded, the
# disk moves from one to the other through sysfs (unbind, driver_override,
# drivers_probe) three times; data written under one driver must be read
# back under the other.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,disable-legacy=on
# vng-timeout: 400
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

bdf=0000:00:04.0
# The stock driver first: it takes the device.
vng_load virtio_pci virtio_blk virtio_pci_ng
check_eq "stock virtio-pci bound it" "$(ng_drv $bdf)" virtio-pci
check "both drivers registered" test -d /sys/bus/pci/drivers/virtio-pci-ng -a \
	-d /sys/bus/pci/drivers/virtio-pci
check "vda under stock" vng_wait_for /dev/vda
check "stock: write pattern 0" sh -c 'dd if=/dev/urandom of=/tmp/p0 bs=64k count=4 2>/dev/null &&
	dd if=/tmp/p0 of=/dev/vda bs=64k count=4 oflag=direct 2>/dev/null'

prev=0
for round in 1 2 3; do
	for drv in virtio-pci-ng virtio-pci; do
		check "round $round: move to $drv" vng_pci_rebind $drv $bdf
		check_eq "round $round: $drv bound" "$(ng_drv $bdf)" $drv
		disk=$(ng_child $bdf block)
		check "round $round: /dev/$disk under $drv" vng_wait_for "/dev/$disk"
		check "round $round: $drv reads pattern $prev" sh -c \
			"dd if=/dev/$disk bs=64k count=4 iflag=direct 2>/dev/null | cmp - /tmp/p$prev"
		n=$((prev + 1))
		check "round $round: $drv writes pattern $n" sh -c \
			"dd if=/dev/urandom of=/tmp/p$n bs=64k count=4 2>/dev/null &&
			 dd if=/tmp/p$n of=/dev/$disk bs=64k count=4 oflag=direct 2>/dev/null"
		prev=$n
		if [ $drv = virtio-pci-ng ]; then
			check_eq "round $round: our interrupt mode" "$(ng_mode $bdf)" msix-per-vq
		fi
	done
done
check "stock still drives it at the end" test "$(ng_drv $bdf)" = virtio-pci
check "rmmod virtio_pci_ng with the device on stock" rmmod virtio_pci_ng
check "stock I/O after that" ng_io "$(ng_child $bdf block)"
vng_done
