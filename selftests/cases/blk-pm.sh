#!/bin/sh
# Freeze/restore (system suspend, pm_test=devices) and a transport reset
# (PCI function reset: reset_prepare/reset_done) with data on the disk.
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,bus=rp0,num-queues=2
# vng-timeout: 600
. /vng/lib.sh
# --- virtio_blk_ng helpers (inlined in every blk-* case) ---
NGDBG=/sys/kernel/debug/virtio_blk_ng
# ng_stat DISK KEY: KEY summed over the disk's virtqueues (debugfs stats)
ng_stat() {
	awk -v k="$2" '{ for (i = 3; i <= NF; i++) { split($i, a, "=");
		if (a[1] == k) s += a[2] } } END { print s + 0 }' "$NGDBG/$1/stats"
}
# ng_op DISK OP: commands of type OP submitted (debugfs ops)
ng_op() { awk -v k="$2" '$1 == k { print $2 }' "$NGDBG/$1/ops"; }
# ng_cfg DISK KEY: a value of the debugfs config file
ng_cfg() { awk -v k="$2" '$1 == k { print $2 }' "$NGDBG/$1/config"; }
# drv_of DISK: the driver bound to the disk's virtio device
drv_of() { basename "$(readlink "/sys/block/$1/device/driver")"; }
# ng_clean DISK: no completion was rejected and no request failed
ng_clean() {
	[ "$(ng_stat "$1" errors)" = 0 ] && [ "$(ng_stat "$1" bad_len)" = 0 ] &&
		[ "$(ng_stat "$1" bad_status)" = 0 ]
}
# ng_no_complaints: the driver logged no rejected completion
ng_no_complaints() { ! dmesg | grep -q 'failing it\|refused by the ring'; }
# wait_eq FILE VALUE [S]: wait until FILE holds VALUE
wait_eq() {
	_i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$2" ]; do
		_i=$((_i + 1)); [ $_i -gt $((${3:-10} * 10)) ] && return 1
		sleep 0.1
	done
}
# --- end of helpers ---

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "pattern" vngio write /dev/vda 0 4m 71

# Suspend to idle, devices only: drivers freeze and restore.
if [ -w /sys/power/pm_test ] && grep -q freeze /sys/power/state; then
	echo devices >/sys/power/pm_test
	check "suspend/resume cycle" sh -c 'echo freeze > /sys/power/state'
	echo none >/sys/power/pm_test
	check "data after resume" vngio verify /dev/vda 0 4m 71
	check "I/O after resume" sh -c 'vngio write /dev/vda 8m 4m 72 && vngio verify /dev/vda 8m 4m 72'
	check "both queues after resume" sh -c "[ \$(grep -c '^vq' $NGDBG/vda/stats) = 2 ]"
else
	skip "suspend/resume cycle" "no pm_test or freeze state"
fi

bdf=$(basename "$(cd /sys/block/vda/device/.. && pwd -P)")
if [ -w /sys/bus/pci/devices/$bdf/reset ]; then
	# I/O running while the function resets.
	vngio write /dev/vda 16m 16m 73 &
	check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
	wait $!
	check "writer finished" vngio verify /dev/vda 16m 16m 73
	check "data after reset" vngio verify /dev/vda 0 4m 71
else
	skip "function reset" "no reset method for $bdf"
fi
check "vda clean" ng_clean vda
check "no complaints in the log" ng_no_complaints
vng_done
