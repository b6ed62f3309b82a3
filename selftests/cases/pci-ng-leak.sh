#!/bin/sh
# Unbind and rebind a virtio-blk and a virtio-net function from
# virtio-pci-ng 20 times, with I/O on every bind, then ask kmemleak: no
# object of the transport (or anything else) may have leaked, and every
# interrupt of the old virtio devices must be gone after each unbind.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2
# vng-qemu: -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,addr=0x5
# vng-timeout: 900
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

KMEMLEAK=/sys/kernel/debug/kmemleak
blk=0000:00:04.0 net=0000:00:05.0
drv=/sys/bus/pci/drivers/virtio-pci-ng

vng_load virtio_pci_ng virtio_blk virtio_net
check "kmemleak is available" test -w $KMEMLEAK
check_eq "blk bound to virtio-pci-ng" "$(ng_drv $blk)" virtio-pci-ng
check_eq "net bound to virtio-pci-ng" "$(ng_drv $net)" virtio-pci-ng
check "first disk I/O" ng_io "$(ng_child $blk block)"

# Report, then forget, whatever boot left behind (objects younger than
# 5 s are not reported yet, hence the wait).
sleep 5
echo scan >$KMEMLEAK
echo clear >$KMEMLEAK

bad_unbind='' bad_bind='' bad_io='' bad_irq=''
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	vb=$(ng_vdev $blk) vn=$(ng_vdev $net)
	echo $blk >$drv/unbind && echo $net >$drv/unbind || bad_unbind="$bad_unbind $i"
	[ -z "$(ng_drv $blk)$(ng_drv $net)" ] || bad_unbind="$bad_unbind $i"
	# No interrupt of the old virtio devices may stay requested.
	if grep -qE " ($vb|$vn)-" /proc/interrupts || [ "$(ng_nmsi $blk)$(ng_nmsi $net)" != 00 ]; then
		bad_irq="$bad_irq $i"
	fi
	echo $blk >$drv/bind && echo $net >$drv/bind || bad_bind="$bad_bind $i"
	[ "$(ng_drv $blk)/$(ng_drv $net)" = virtio-pci-ng/virtio-pci-ng ] || bad_bind="$bad_bind $i"
	disk=$(ng_child $blk block)
	vng_wait_for "/dev/$disk" 10 &&
		dd if="/dev/$disk" of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null ||
		bad_io="$bad_io $i"
done
check_eq "20 unbinds" "$bad_unbind" ""
check_eq "interrupts freed on every unbind" "$bad_irq" ""
check_eq "20 binds" "$bad_bind" ""
check_eq "disk I/O after every bind" "$bad_io" ""
check "I/O after the loop" ng_io "$(ng_child $blk block)"

# kmemleak only reports objects older than 5 s; scan twice, as it advises.
sleep 6
echo scan >$KMEMLEAK
echo scan >$KMEMLEAK
leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
check_eq "kmemleak: no leaked objects" "$leaks" 0
[ "$leaks" = 0 ] || head -n 60 $KMEMLEAK | sed 's/^/# /'

# Finally the whole module goes, with its devices.
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
check "no driver left on blk" test -z "$(ng_drv $blk)"
check "no virtio device left" sh -c '[ -z "$(ls /sys/bus/virtio/devices)" ]'
vng_done
