#!/bin/sh
# poll_queues: virtqueues without interrupts behind HCTX_TYPE_POLL; io_uring
# IOPOLL completes through ->poll. A disk with a single queue keeps its
# interrupt and refuses polled I/O.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,num-queues=1
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

vng_load virtio_pci
check "modprobe poll_queues=1" modprobe virtio_blk_ng poll_queues=1
check "vda and vdb" vng_wait_for /sys/block/vdb
check_eq "vda: 1 default + 1 poll" "$(ng_cfg vda nr_default) $(ng_cfg vda nr_poll)" "1 1"
check_eq "vda: poll virtqueue" "$(awk '{print $2}' $NGDBG/vda/stats | tr '\n' ' ')" "irq poll "
check_eq "vda: io_poll" "$(cat /sys/block/vda/queue/io_poll)" 1
check_eq "vda: two hardware queues" "$(ls -d /sys/block/vda/mq/* | wc -l)" 2
check_eq "vdb: no poll queue" "$(ng_cfg vdb nr_poll)" 0
check_eq "vdb: io_poll off" "$(cat /sys/block/vdb/queue/io_poll)" 0

p0=$(ng_stat vda polled)
check "io_uring IOPOLL write+verify" vngio uring /dev/vda 0 8m 41 poll 32
check "completions found by polling" test "$(ng_stat vda polled)" -gt "$p0"
check_eq "poll queue took no interrupt" "$(awk '$2 == "poll"' $NGDBG/vda/stats | grep -o 'interrupts=[0-9]*')" interrupts=0
check "io_uring with interrupts" vngio uring /dev/vda 8m 4m 42
check "plain O_DIRECT still fine" vngio verify /dev/vda 0 8m 41
check "vdb refuses IOPOLL" vngio expect EOPNOTSUPP uring /dev/vdb 0 64k 1 poll 4
check "vdb io_uring with interrupts" vngio uring /dev/vdb 0 4m 43
check "vda clean" ng_clean vda
check "vdb clean" ng_clean vdb
check "no complaints in the log" ng_no_complaints
vng_done
