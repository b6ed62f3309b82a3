#!/bin/sh
# A QMP block_resize while the guest runs reaches it as a config change:
# the disk grows, the new space works, the old data stays.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0
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
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check "pattern" vngio write /dev/vda 60m 4m 9
echo 'VNG-QMP: {"execute": "block_resize", "arguments": {"device": "d0", "size": 134217728}}'
check "grows to 128 MiB" wait_eq /sys/block/vda/size 262144 30
check "resize logged" sh -c 'dmesg | grep -q "\[vda\] new size: 262144 512-byte logical blocks"'
check "old data intact" vngio verify /dev/vda 60m 4m 9
check "write in the new space" vngio write /dev/vda 120m 8m 10
check "verify the new space" vngio verify /dev/vda 120m 8m 10
echo 'VNG-QMP: {"execute": "block_resize", "arguments": {"device": "d0", "size": 100663296}}'
check "shrinks to 96 MiB" wait_eq /sys/block/vda/size 196608 30
check "beyond the end refused" sh -c '! vngio write /dev/vda 120m 4k 1 2>/dev/null'
check "vda clean" ng_clean vda
vng_done
