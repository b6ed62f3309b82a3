#!/bin/sh
# Hot-unplug through QMP device_del (an orderly ACPI eject): the disk goes
# away cleanly, idle and with I/O in flight.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,id=vd0
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,id=vd1
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
check "two disks" vng_wait_for /sys/block/vdb
check "pattern on vdb" vngio write /dev/vdb 0 4m 81
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "vd0"}}'
check "idle vda unplugged" sh -c 'i=0; while [ -e /sys/block/vda ]; do i=$((i + 1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done'
check "vda debugfs gone" sh -c "! test -e $NGDBG/vda"
vngio write /dev/vdb 8m 32m 82 2>/dev/null &
sleep 1
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "vd1"}}'
check "busy vdb unplugged" sh -c 'i=0; while [ -e /sys/block/vdb ]; do i=$((i + 1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done'
wait
check "driver still unloads" rmmod virtio_blk_ng
vng_done
