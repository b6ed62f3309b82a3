#!/bin/sh
# Suspend and resume with virtio_pci_ng (pm_test=devices: the devices go
# through suspend and resume, the machine does not sleep). The transport
# freezes the virtio drivers, which reset the device and drop their
# queues, and restores them: disk and NIC must work before and after,
# the disk keeping its data.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,vectors=0
# vng-qemu: -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,addr=0x6
# vng-qemu: -netdev hubport,id=n1,hubid=0 -device virtio-net-pci,netdev=n1,addr=0x7
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

vng_load virtio_pci_ng virtio_blk virtio_net
b0=0000:00:04.0 b1=0000:00:05.0 na=0000:00:06.0 nb=0000:00:07.0
for bdf in $b0 $b1 $na $nb; do
	check_eq "$bdf: bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
done
d0=$(ng_child $b0 block) d1=$(ng_child $b1 block)
ea=$(ng_child $na net) eb=$(ng_child $nb net)
check_eq "$b1: INTx" "$(ng_mode $b1)" intx
check "I/O before, $d0" ng_io "$d0"
check "I/O before, $d1" ng_io "$d1"
ip link set "$ea" up && ip link set "$eb" up
ip addr add 192.0.2.1/24 dev "$ea"

check "pm_test available" test -w /sys/power/pm_test
echo devices >/sys/power/pm_test
check "echo freeze >/sys/power/state" sh -c 'echo freeze >/sys/power/state'
echo none >/sys/power/pm_test
check "the kernel went through suspend" sh -c 'dmesg | grep -q "PM: suspend entry"'
check "and resumed" sh -c 'dmesg | grep -q "PM: suspend exit"'

for bdf in $b0 $b1 $na $nb; do
	check_eq "$bdf: still on virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
	check_eq "$bdf: DRIVER_OK again" \
		"$(cat "/sys/bus/virtio/devices/$(ng_vdev $bdf)/status")" 0x0000000f
done
check_eq "$b0: interrupt mode after resume" "$(ng_mode $b0)" msix-per-vq
check_eq "$b1: interrupt mode after resume" "$(ng_mode $b1)" intx
check "$d0 kept its data" sh -c \
	"dd if=/dev/$d0 bs=64k count=16 iflag=direct 2>/dev/null | cmp - /tmp/w.$d0"
check "$d1 kept its data" sh -c \
	"dd if=/dev/$d1 bs=64k count=16 iflag=direct 2>/dev/null | cmp - /tmp/w.$d1"
check "I/O after, $d0" ng_io "$d0"
check "I/O after, $d1" ng_io "$d1"
rx0=$(cat /sys/class/net/$eb/statistics/rx_packets)
arping -c 3 -w 6 -I "$ea" 192.0.2.2 >/dev/null 2>&1
rx1=$(cat /sys/class/net/$eb/statistics/rx_packets)
check "frames flow between the NICs after resume ($rx0 -> $rx1)" test $((rx1 - rx0)) -ge 3

# A second cycle, to catch state the first one left behind.
echo devices >/sys/power/pm_test
check "second suspend/resume" sh -c 'echo freeze >/sys/power/state'
echo none >/sys/power/pm_test
check "I/O after the second, $d0" ng_io "$d0"
check "I/O after the second, $d1" ng_io "$d1"
vng_done
