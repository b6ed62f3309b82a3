#!/bin/sh
# virtio_blk_ng drives a virtio-blk-pci disk over the stock virtio_pci:
# naming, size, O_DIRECT write/verify, counters, unbind and rebind.
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
check "vda appears" vng_wait_for /sys/block/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check "own block major" grep -q ' virtblk_ng$' /proc/devices
check "/dev/vda node" vng_wait_for /dev/vda
check "debugfs files" test -r $NGDBG/vda/stats -a -r $NGDBG/vda/ops -a -r $NGDBG/vda/config

check "O_DIRECT write 8 MiB" vngio write /dev/vda 0 8m 11
check "O_DIRECT verify 8 MiB" vngio verify /dev/vda 0 8m 11
check "verify a sub-range" vngio verify /dev/vda 3m 68k 11
check "a wrong pattern is detected" sh -c '! vngio verify /dev/vda 0 4k 12 2>/dev/null'
check "write at the last sector" vngio write /dev/vda 67108352 512 5
check "verify the last sector" vngio verify /dev/vda 67108352 512 5
check_eq "nothing to read past the end" "$(dd if=/dev/vda bs=512 skip=131072 count=1 iflag=direct 2>/dev/null | wc -c)" 0
check "no write past the end" sh -c '! vngio write /dev/vda 64m 4k 1 2>/dev/null'

sub=$(ng_stat vda submitted)
check_eq "every command completed" "$(ng_stat vda completed)" "$sub"
check "commands were counted" test "$sub" -gt 0
check "reads and writes counted" test "$(ng_op vda read)" -gt 0 -a "$(ng_op vda write)" -gt 0
check "interrupts counted" test "$(ng_stat vda interrupts)" -gt 0
check "kicks counted" test "$(ng_stat vda kicks)" -gt 0
check "no rejected completion" ng_clean vda
check_eq "queues per plan" "$(ls -d /sys/block/vda/mq/* | wc -l)" "$(ng_cfg vda nr_vqs)"

check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "vda gone" sh -c '! test -e /sys/block/vda'
check "debugfs root gone" sh -c "! test -e $NGDBG"
check "modprobe again" modprobe virtio_blk_ng
check "vda back" vng_wait_for /sys/block/vda
check "data survived" vngio verify /dev/vda 0 8m 11
v=$(basename "$(readlink /sys/block/vda/device)")
check "unbind" sh -c "echo $v > /sys/bus/virtio/drivers/virtio_blk_ng/unbind"
check "vda gone after unbind" sh -c '! test -e /sys/block/vda'
check "bind" sh -c "echo $v > /sys/bus/virtio/drivers/virtio_blk_ng/bind"
check "vda back after bind" vng_wait_for /sys/block/vda
check "data survived rebind" vngio verify /dev/vda 3m 1m 11
check "no complaints in the log" ng_no_complaints
vng_unload virtio_blk_ng virtio_pci
vng_done
