#!/bin/sh
# No_Soft_Reset over a suspend (QEMU 10.0: x-pcie-pm-no-soft-reset, which
# 7.2 lacks). A function that sets No_Soft_Reset in its PMCSR keeps its
# state in D3hot, so virtio_pci_ng leaves its virtio driver running across
# a system suspend instead of freezing it (a reset) and restoring it (a new
# set of queues and MSI-X vectors); hibernation always does the full work.
# Two disks on PCIe root ports, both driven by virtio_pci_ng +
# virtio_blk_ng: "keep" with the bit, "full" without. The evidence is the
# disk's interrupt counts: a restore frees the MSI-X vectors and allocates
# new ones, whose counts start again from zero; a kept device's vectors
# keep counting. Then a hibernation cycle (pm_test=devices) restores both.
# vng-qemu-version: 10.0
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1 -device pcie-root-port,id=rp1,chassis=2
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,bus=rp0,serial=keep,x-pcie-pm-no-soft-reset=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,bus=rp1,serial=full
# vng-timeout: 300
. /vng/lib.sh
. /vng/pci-ng-lib.sh
. /vng/ng-lib.sh

# cfg_u8 BDF OFF / cfg_u16 BDF OFF: config space of BDF, decimal
cfg_u8() { od -An -tu1 -j"$2" -N1 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
cfg_u16() { od -An -tu2 -j"$2" -N2 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
# pmcsr BDF: the PM control/status register (decimal; empty without one)
pmcsr() {
	_p=$(cfg_u8 "$1" 52)
	_n=0
	while [ "${_p:-0}" != 0 ] && [ $_n -lt 48 ]; do
		if [ "$(cfg_u8 "$1" "$_p")" = 1 ]; then
			cfg_u16 "$1" $((_p + 4))
			return
		fi
		_p=$(cfg_u8 "$1" $((_p + 1)))
		_n=$((_n + 1))
	done
}

vng_load virtio_pci_ng virtio_blk_ng
for s in keep full; do
	vng_disk_by_serial $s
	if [ -z "$D" ]; then
		fail "disk $s appears"
		vng_done
	fi
	eval "disk_$s=$D vdev_$s=$V"
	eval "bdf_$s=$(basename "$(readlink -f /sys/bus/virtio/devices/$V/..)")"
done
check_eq "keep: on virtio-pci-ng" "$(ng_drv $bdf_keep)" virtio-pci-ng
check_eq "full: on virtio-pci-ng" "$(ng_drv $bdf_full)" virtio-pci-ng
pk=$(pmcsr $bdf_keep) pf=$(pmcsr $bdf_full)
check "keep: PMCSR has No_Soft_Reset ($pk)" test $((${pk:-0} & 8)) = 8
check "full: PMCSR has a PM capability without No_Soft_Reset ($pf)" \
	sh -c "[ -n '$pf' ] && [ $((${pf:-0} & 8)) = 0 ]"

# Enough interrupts before the suspend that a restarted count is lower.
for s in keep full; do
	eval "d=\$disk_$s"
	check "$s: 1 MiB written and read back" ng_io "$d"
	check "$s: 2 MiB read in 4 KiB requests" \
		dd if=/dev/$d of=/dev/null bs=4k count=512 iflag=direct
done
ik0=$(ng_irq_sum " $vdev_keep-") if0=$(ng_irq_sum " $vdev_full-")
echo "# interrupts before: keep $ik0, full $if0"

echo devices >/sys/power/pm_test
check "suspend/resume cycle" sh -c 'echo freeze >/sys/power/state'
echo none >/sys/power/pm_test
ik1=$(ng_irq_sum " $vdev_keep-") if1=$(ng_irq_sum " $vdev_full-")
echo "# interrupts after resume: keep $ik1, full $if1"
check "keep: left running (its vectors kept counting: $ik0 -> $ik1)" \
	test "$ik1" -ge "$ik0"
check "full: frozen and restored (new vectors: $if0 -> $if1)" \
	test "$if1" -lt "$if0"
for s in keep full; do
	eval "d=\$disk_$s v=\$vdev_$s"
	check_eq "$s: DRIVER_OK after resume" \
		"$(cat /sys/bus/virtio/devices/$v/status)" 0x0000000f
	check "$s: kept its data" sh -c \
		"dd if=/dev/$d bs=64k count=16 iflag=direct 2>/dev/null | cmp - /tmp/w.$d"
	check "$s: I/O after resume" ng_io "$d"
done

# Hibernation restores both, the kept one included.
ik0=$(ng_irq_sum " $vdev_keep-")
echo devices >/sys/power/pm_test
check "hibernation cycle (freeze, restore)" sh -c 'echo disk >/sys/power/state'
echo none >/sys/power/pm_test
ik1=$(ng_irq_sum " $vdev_keep-")
check "keep: restored over hibernation (new vectors: $ik0 -> $ik1)" \
	test "$ik1" -lt "$ik0"
for s in keep full; do
	eval "d=\$disk_$s"
	check "$s: kept its data over hibernation" sh -c \
		"dd if=/dev/$d bs=64k count=16 iflag=direct 2>/dev/null | cmp - /tmp/w.$d"
	check "$s: I/O after hibernation" ng_io "$d"
	check "$s: clean" ng_clean "$d"
done
vng_done
