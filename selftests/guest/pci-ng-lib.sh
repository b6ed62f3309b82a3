# SPDX-License-Identifier: GPL-2.0
# Guest helpers for the virtio_pci_ng cases (sourced after lib.sh): find
# virtio functions, their drivers, virtio devices, interrupts and mappings.
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

KMEMLEAK=/sys/kernel/debug/kmemleak

# ng_kmemleak_check: one check that kmemleak finds no unreferenced
# object (its report goes into the log if it does); a boot without
# kmemleak fails it, since only cases that need kmemleak call it.
# kmemleak only reports objects older than 5 s; scan twice, as it advises.
ng_kmemleak_check() {
	if [ ! -w $KMEMLEAK ]; then
		fail "kmemleak: no leaked objects (no kmemleak in this boot)"
		return
	fi
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	_leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	check_eq "kmemleak: no leaked objects" "$_leaks" 0
	[ "$_leaks" = 0 ] || head -n 60 $KMEMLEAK | sed 's/^/# /'
}
