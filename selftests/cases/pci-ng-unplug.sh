#!/bin/sh
# Hot-unplug (QMP device_del, ACPI PCI hotplug) of a virtio-blk function
# driven by virtio_pci_ng while a reader is busy on it: the reader must
# end (with an error or not), the function must disappear and release
# its interrupts, and the other disk must keep working.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,id=gone
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,id=stays
# vng-timeout: 300
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
gone=0000:00:04.0 stays=0000:00:05.0
check_eq "$gone: bound to virtio-pci-ng" "$(ng_drv $gone)" virtio-pci-ng
check_eq "$stays: bound to virtio-pci-ng" "$(ng_drv $stays)" virtio-pci-ng
dg=$(ng_child $gone block) ds=$(ng_child $stays block)
vg=$(ng_vdev $gone)
check "I/O on $dg before" ng_io "$dg"

# A reader that keeps the queue busy until the disk goes away.
(while dd if="/dev/$dg" of=/dev/null bs=64k count=1024 iflag=direct 2>/dev/null; do :; done) &
reader=$!
sleep 1
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "gone"}}'
_i=0
while [ -e /sys/bus/pci/devices/$gone ] && [ $_i -lt 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "$gone removed" test ! -e /sys/bus/pci/devices/$gone
_i=0
while kill -0 $reader 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "the reader ended" sh -c "! kill -0 $reader 2>/dev/null"
kill $reader 2>/dev/null
check "/dev/$dg is gone" test ! -e "/dev/$dg"
check "$vg's interrupts are freed" sh -c "! grep -q ' $vg-' /proc/interrupts"
check "I/O on $ds still works" ng_io "$ds"
check "rmmod virtio_blk" rmmod virtio_blk
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
