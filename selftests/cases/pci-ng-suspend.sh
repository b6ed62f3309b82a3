#!/bin/sh
# Suspend and resume, then hibernation, with virtio_pci_ng (pm_test=devices:
# the devices go through suspend and resume, or freeze and restore, the
# machine does not sleep and writes no image). The transport
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
. /vng/pci-ng-lib.sh

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

# Hibernation, devices only (pm_test=devices): the drivers' freeze, then,
# with no image written, the restore callbacks (PMSG_RESTORE): the
# transport resets each device and the drivers set it up from scratch.
check "hibernation offered (disk in /sys/power/state)" grep -qw disk /sys/power/state
dmesg -c >/dev/null
echo devices >/sys/power/pm_test
check "hibernation cycle (freeze, restore)" sh -c 'echo disk >/sys/power/state'
echo none >/sys/power/pm_test
check "the kernel went through hibernation" sh -c \
	'dmesg | grep -q "hibernation entry" && dmesg | grep -q "hibernation exit"'
for bdf in $b0 $b1 $na $nb; do
	check_eq "$bdf: on virtio-pci-ng after hibernation" "$(ng_drv $bdf)" virtio-pci-ng
	check_eq "$bdf: DRIVER_OK after hibernation" \
		"$(cat "/sys/bus/virtio/devices/$(ng_vdev $bdf)/status")" 0x0000000f
done
check_eq "$b0: interrupt mode after hibernation" "$(ng_mode $b0)" msix-per-vq
check_eq "$b1: interrupt mode after hibernation" "$(ng_mode $b1)" intx
check "$d0 kept its data over hibernation" sh -c \
	"dd if=/dev/$d0 bs=64k count=16 iflag=direct 2>/dev/null | cmp - /tmp/w.$d0"
check "I/O after hibernation, $d0" ng_io "$d0"
check "I/O after hibernation, $d1" ng_io "$d1"
rx0=$(cat /sys/class/net/$eb/statistics/rx_packets)
arping -c 3 -w 6 -I "$ea" 192.0.2.2 >/dev/null 2>&1
rx1=$(cat /sys/class/net/$eb/statistics/rx_packets)
check "frames flow after hibernation ($rx0 -> $rx1)" test $((rx1 - rx0)) -ge 3
vng_done
