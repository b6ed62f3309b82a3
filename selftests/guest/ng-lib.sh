# SPDX-License-Identifier: GPL-2.0
# Guest helpers for the virtio_blk_ng cases (sourced after lib.sh):
# statistics, per-op counters, config and recovery state from the driver's
# debugfs directory, and small waits.
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
# wait_out VALUE S CMD...: wait up to S seconds until CMD prints VALUE
wait_out() {
	_want=$1 _n=$(($2 * 10)) _i=0
	shift 2
	while [ "$("$@" 2>/dev/null)" != "$_want" ]; do
		_i=$((_i + 1)); [ $_i -gt $_n ] && return 1
		sleep 0.1
	done
}
# wait_eq FILE VALUE [S]: wait until FILE holds VALUE
wait_eq() { wait_out "$2" "${3:-10}" cat "$1"; }
# ng_rec DISK KEY: a value of the debugfs recovery file (state, dev_resets, ..)
ng_rec() { awk -v k="$2" '$1 == k { print $2 }' "$NGDBG/$1/recovery"; }
