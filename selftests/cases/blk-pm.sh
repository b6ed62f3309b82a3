#!/bin/sh
# Freeze/restore (system suspend, then hibernation, both pm_test=devices)
# and a transport reset (PCI function reset: reset_prepare/reset_done) with
# data on the disk. All three reset the device, and QEMU's reset returns its
# cache to writeback: cache_type, set to write through first, must hold
# across them. The guest asks QEMU for its block state (query-block) after
# each step; the host check wants d0 write-through in all four answers.
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,bus=rp0,num-queues=2
# vng-post: python3 "$TOP/selftests/tools/qmp-writeback.py" "$log" d0 false,false,false,false
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh


vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "pattern" vngio write /dev/vda 0 4m 71
c=/sys/block/vda/cache_type
check "set write through" sh -c "echo 'write through' > $c"
vng_query_block

# Suspend to idle, devices only: drivers freeze and restore.
if [ -w /sys/power/pm_test ] && grep -q freeze /sys/power/state; then
	echo devices >/sys/power/pm_test
	check "suspend/resume cycle" sh -c 'echo freeze > /sys/power/state'
	echo none >/sys/power/pm_test
	check "data after resume" vngio verify /dev/vda 0 4m 71
	check "I/O after resume" sh -c 'vngio write /dev/vda 8m 4m 72 && vngio verify /dev/vda 8m 4m 72'
	check "both queues after resume" sh -c "[ \$(grep -c '^vq' $NGDBG/vda/stats) = 2 ]"
	vng_query_block
	check_eq "write through after resume" "$(cat $c)" "write through"
else
	skip "suspend/resume cycle" "no pm_test or freeze state"
fi

# Hibernation, devices only: freeze, then (no image written) restore,
# which resets the device and sets it up from scratch.
check "hibernation offered (disk in /sys/power/state)" grep -qw disk /sys/power/state
echo devices >/sys/power/pm_test
check "hibernation cycle (freeze, restore)" sh -c 'echo disk > /sys/power/state'
echo none >/sys/power/pm_test
check "data after restore" vngio verify /dev/vda 0 4m 71
check "I/O after restore" sh -c 'vngio write /dev/vda 8m 4m 74 && vngio verify /dev/vda 8m 4m 74'
check "both queues after restore" sh -c "[ \$(grep -c '^vq' $NGDBG/vda/stats) = 2 ]"
vng_query_block
check_eq "write through after restore" "$(cat $c)" "write through"

bdf=$(basename "$(readlink -f /sys/block/vda/device/..)")
if [ -w /sys/bus/pci/devices/$bdf/reset ]; then
	# I/O running while the function resets.
	vngio write /dev/vda 16m 16m 73 &
	check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
	wait $!
	check "writer finished" vngio verify /dev/vda 16m 16m 73
	check "data after reset" vngio verify /dev/vda 0 4m 71
	vng_query_block
	check_eq "write through after reset" "$(cat $c)" "write through"
	check_eq "queue write through after reset" \
		"$(cat /sys/block/vda/queue/write_cache)" "write through"
else
	skip "function reset" "no reset method for $bdf"
fi
check "vda clean" ng_clean vda
check "no complaints in the log" ng_no_complaints
vng_done
