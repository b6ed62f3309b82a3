#!/bin/sh
# A read-only device (VIRTIO_BLK_F_RO) gives a read-only disk that refuses
# writes, even after BLKROSET clears the block device's own flag.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,readonly=on -device virtio-blk-pci,drive=d0
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
check "vda appears" vng_wait_for /dev/vda
check_eq "ro flag" "$(cat /sys/block/vda/ro)" 1
check_eq "VIRTIO_BLK_F_RO negotiated" "$(cut -c6 /sys/block/vda/device/features)" 1
check "reads work" vngio zero /dev/vda 0 1m
check "write refused (EPERM)" vngio expect EPERM write /dev/vda 0 4k 1
check "BLKROSET 0" blockdev --setrw /dev/vda
check "still refused" vngio expect EPERM write /dev/vda 0 4k 1
check "discard refused" sh -c '! vngio discard /dev/vda 0 1m 2>/dev/null'
check_eq "no write reached the device" "$(ng_op vda write)" 0
check "vda clean" ng_clean vda
vng_done
