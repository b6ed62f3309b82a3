#!/bin/sh
# virtio_blk_ng against bad and error status bytes (vhost-user-bad
# "status", "ioerr", "unsupp"): undefined status 7, the poison value 255
# written by the device, IOERR and UNSUPP reads, an IOERR write and an
# IOERR flush. Each fails only its own request, with the right error; the
# undefined ones are logged.
# vng-vhost-user: --fault 'status=7 type=in sector=2048' --fault 'status=255 type=in sector=3072' --fault 'ioerr type=in sector=4096' --fault 'unsupp type=in sector=6144' --fault 'ioerr type=out sector=8192' --fault 'ioerr type=flush'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: test "$(grep -c 'FAULT [0-9]*: .*hits rule' vhost0.log)" = 6
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

rd() { dd if=/dev/vda of=/tmp/back bs=512 skip="$1" count=8 iflag=direct 2>/tmp/dd.err; }

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
check "write sector 2048" dd if=/tmp/rand of=/dev/vda bs=512 seek=2048 count=8 oflag=direct
for t in "2048 7 'I/O error'" "3072 255 'I/O error'" "4096 IOERR 'I/O error'" "6144 UNSUPP 'not supported'"; do
	eval "set -- $t"
	if rd $1; then fail "read answered $2 succeeded"; else ok "read answered $2 fails"; fi
	check "read answered $2: $3" grep -qi "$3" /tmp/dd.err
done
check "status 7 logged" sh -c "dmesg | grep -q 'read completed with invalid status 0x7; failing it'"
check "status 255 logged" sh -c "dmesg | grep -q 'read completed with invalid status 0xff; failing it'"
check_eq "two undefined statuses" "$(ng_stat vda bad_status)" 2
if dd if=/tmp/rand of=/dev/vda bs=512 seek=8192 count=8 oflag=direct 2>/tmp/dd.err; then
	fail "write answered IOERR succeeded"
else
	ok "write answered IOERR fails"
fi
check "flush answered IOERR fails fsync" sh -c '! vngio flush /dev/vda 2>/dev/null'
check_eq "six requests failed" "$(ng_stat vda errors)" 6
check "device still works" sh -c 'vngio write /dev/vda 16m 4m 5 && vngio verify /dev/vda 16m 4m 5 && vngio flush /dev/vda'
check_eq "no used length complaints" "$(ng_stat vda bad_len)" 0
vng_done
