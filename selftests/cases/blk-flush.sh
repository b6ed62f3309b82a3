#!/bin/sh
# Cache flushes reach a writeback device and only that one.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,write-cache=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,write-cache=off,config-wce=off
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

vng_load virtio_pci virtio_blk_ng
check "vda and vdb" vng_wait_for /sys/block/vdb
check_eq "vda writeback" "$(cat /sys/block/vda/queue/write_cache)" "write back"
check_eq "vda cache_type" "$(cat /sys/block/vda/cache_type)" "write back"
check_eq "vdb write through" "$(cat /sys/block/vdb/queue/write_cache)" "write through"
check_eq "vdb cache_type" "$(cat /sys/block/vdb/cache_type)" "write through"
check_eq "no FUA (virtio has none)" "$(cat /sys/block/vda/queue/fua)" 0

before=$(ng_op vda flush)
check "fsync vda" vngio flush /dev/vda
check "flush reached vda" test "$(ng_op vda flush)" -gt "$before"
check "fsync vdb" vngio flush /dev/vdb
check_eq "no flush sent to vdb" "$(ng_op vdb flush)" 0
check "O_DIRECT write + verify after flushes" sh -c 'vngio write /dev/vda 0 1m 3 && vngio verify /dev/vda 0 1m 3'
check "vda clean" ng_clean vda
check "vdb clean" ng_clean vdb
vng_done
