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
