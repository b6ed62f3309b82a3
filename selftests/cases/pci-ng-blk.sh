#!/bin/sh
# Stock virtio_blk over virtio_pci_ng. The pc machine's default
# virtio-blk-pci is transitional (device ID 0x1001) with the virtio 1.x
# capabilities: virtio-pci-ng binds it and gives it one MSI-X vector per
# queue plus one for config changes. A second, legacy-only function (no
# virtio 1.x capabilities) must be left alone.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2,serial=vng-pci-ng
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,disable-modern=on
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
bdf=0000:00:04.0
legacy=0000:00:05.0

vng_load virtio_pci_ng virtio_blk
check_eq "transitional virtio-blk at $bdf" "$(cat /sys/bus/pci/devices/$bdf/device)" 0x1001
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
v=$(ng_vdev $bdf)
check "a virtio device registered" test -n "$v"
check_eq "virtio device ID 2 (block)" "$(cat /sys/bus/virtio/devices/$v/device)" 0x0002
check_eq "status ACK|DRIVER|FEATURES_OK|DRIVER_OK" \
	"$(cat /sys/bus/virtio/devices/$v/status)" 0x0000000f
check_eq "VIRTIO_F_VERSION_1 negotiated" "$(ng_feature "$v" 32)" 1
check_eq "legacy-only function left unbound" "$(ng_drv $legacy)" ""
check "no virtio device for it" test -z "$(ng_vdev $legacy)"

disk=$(ng_child $bdf block)
check_eq "its disk is vda" "$disk" vda
check "/dev/vda appears" vng_wait_for /dev/vda
check_eq "capacity read from device config" "$(cat /sys/block/vda/size)" 131072
check_eq "serial" "$(cat /sys/block/vda/serial)" vng-pci-ng
check_eq "2 blk-mq hardware queues" "$(ls /sys/block/vda/mq | wc -l)" 2

check_eq "interrupt mode" "$(ng_mode $bdf)" msix-per-vq
check_eq "interrupts requested" "$(ng_irq_names "$v")" "config req.0 req.1 "
check_eq "3 MSI-X vectors enabled" "$(ng_nmsi $bdf)" 3

before=$(ng_irq_sum " $v-req\.")
check "1 MiB O_DIRECT write, read back, compare" ng_io vda
check "4 MiB buffered write" dd if=/dev/urandom of=/tmp/big bs=1M count=4
check "write it at 8 MiB" dd if=/tmp/big of=/dev/vda bs=1M seek=8 count=4 conv=fsync
check "read it back" \
	sh -c 'dd if=/dev/vda bs=1M skip=8 count=4 2>/dev/null | cmp - /tmp/big'
# Queue I/O on both hardware queues, one per CPU.
check "O_DIRECT reads from CPU 0" taskset 1 dd if=/dev/vda of=/dev/null bs=4k count=256 iflag=direct
check "O_DIRECT reads from CPU 1" taskset 2 dd if=/dev/vda of=/dev/null bs=4k count=256 iflag=direct
after=$(ng_irq_sum " $v-req\.")
check "queue interrupts arrived on the per-queue vectors ($before -> $after)" \
	test "$after" -gt "$before"
fired=$(grep -E " $v-req\." /proc/interrupts |
	awk '{ s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; if (s) n++ }
	     END { print n + 0 }')
check_eq "both queue vectors fired" "$fired" 2
vng_done
