#!/bin/sh
# virtio_blk_ng over virtio-mmio on microvm: QEMU's default legacy
# (version 1) interface, guest-endian headers.
# vng-machine: microvm
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-device,drive=d0,serial=mmio0
# vng-timeout: 420
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

vng_load virtio_mmio virtio_blk_ng
check "vda appears" vng_wait_for /sys/block/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "virtio-mmio transport" "$(basename "$(readlink /sys/block/vda/device/../driver)")" virtio-mmio
check_eq "legacy interface (no VERSION_1)" "$(cut -c33 /sys/block/vda/device/features)" 0
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check_eq "serial" "$(cat /sys/block/vda/serial)" mmio0
check "O_DIRECT write 4 MiB" vngio write /dev/vda 0 4m 21
check "O_DIRECT verify 4 MiB" vngio verify /dev/vda 0 4m 21
check "flush" vngio flush /dev/vda
check "io_uring" vngio uring /dev/vda 8m 1m 22
check "no rejected completion" ng_clean vda
check "no complaints in the log" ng_no_complaints
check "rmmod" rmmod virtio_blk_ng
check "vda gone" sh -c '! test -e /sys/block/vda'
vng_done
