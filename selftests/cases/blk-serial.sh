#!/bin/sh
# sysfs serial comes from VIRTIO_BLK_T_GET_ID: a short ID, one of exactly
# 20 bytes (no terminator on the wire) and none at all.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=VNG-SERIAL-0001
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=ABCDEFGHIJKLMNOPQRST
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2
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
check "three disks" vng_wait_for /sys/block/vdc
check_eq "short serial" "$(cat /sys/block/vda/serial)" VNG-SERIAL-0001
check_eq "20-byte serial" "$(cat /sys/block/vdb/serial)" ABCDEFGHIJKLMNOPQRST
check_eq "20-byte serial is 20 bytes" "$(wc -c </sys/block/vdb/serial)" 20
check_eq "no serial" "$(cat /sys/block/vdc/serial)" ""
check_eq "read twice, same answer" "$(cat /sys/block/vda/serial)" VNG-SERIAL-0001
check "get_id commands counted" test "$(ng_op vda get_id)" -ge 2
check "vda clean" ng_clean vda
check "vdc clean" ng_clean vdc
check "no lifetime directory without VIRTIO_BLK_F_LIFETIME" sh -c '! test -e /sys/block/vda/lifetime'
vng_done
