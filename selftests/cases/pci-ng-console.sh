#!/bin/sh
# Stock virtio_console over virtio_pci_ng: multiport console with its
# control queues; bytes written to a virtserialport in the guest must land
# in the host file behind the port (checked on the host after the run).
# vng-qemu: -device virtio-serial-pci,addr=0x4
# vng-qemu: -chardev file,id=c0,path=@FILE0@ -device virtserialport,chardev=c0,name=vng.port0
# vng-post: grep -qx 'vng-pci-ng console line 3' @FILE0@ && [ "$(grep -c '^vng-pci-ng console line' @FILE0@)" -eq 3 ]
# vng-timeout: 240
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

vng_load virtio_pci_ng virtio_console
bdf=0000:00:04.0
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
v=$(ng_vdev $bdf)
check_eq "virtio device ID 3 (console)" "$(cat /sys/bus/virtio/devices/$v/device)" 0x0003
# QEMU gives virtio-serial 2 MSI-X vectors for its 64 queues (31 ports):
# per-queue vectors cannot be had, the shared vector is the fallback.
check_eq "interrupt mode" "$(ng_mode $bdf)" msix-shared
check_eq "2 MSI-X vectors" "$(ng_nmsi $bdf)" 2
check_eq "MULTIPORT negotiated" "$(ng_feature "$v" 1)" 1

port=
_i=0
while [ -z "$port" ] && [ $_i -lt 100 ]; do
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = vng.port0 ] && port=$(basename "$p")
	done
	[ -n "$port" ] || sleep 0.1
	_i=$((_i + 1))
done
check "port vng.port0 announced over the control queue" test -n "$port"
check "/dev/$port appears" vng_wait_for "/dev/$port"
for i in 1 2 3; do
	check "write line $i" sh -c "echo 'vng-pci-ng console line $i' >/dev/$port"
done
vng_done
