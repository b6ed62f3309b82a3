# SPDX-License-Identifier: GPL-2.0
# Helpers for the vhost-user-bad cases (selftests/cases/vu-*.sh); source
# after /vng/lib.sh. A request the device never completes leaves its
# process in uninterruptible sleep: `timeout` cannot end it, so such I/O is
# started in the background and watched.
#
#   vu_bg NAME CMD [ARG..]   run CMD in the background; output in /tmp/NAME.out
#   vu_wait NAME SECS        wait up to SECS for it: 0 (status in $VU_RC) when
#                            it ended, 1 when it still runs
#   vu_ms                    guest uptime in milliseconds
#   vu_cpu_of_queue Q        the first CPU that submits on hardware queue Q
#                            of $VNG_DISK
#   vu_disk_by_serial SERIAL the vdX whose serial is SERIAL
#   vu_inflight              "READS WRITES" in flight on $VNG_DISK
#   vu_pattern TAG BYTES     BYTES of a fixed pattern (the host can make it too:
#                            yes TAG | head -c BYTES)

vu_bg() {
	_n=$1
	shift
	rm -f "/tmp/$_n.rc" "/tmp/$_n.out"
	( "$@" >"/tmp/$_n.out" 2>&1; echo $? >"/tmp/$_n.rc" ) &
}

vu_wait() {
	_i=0
	while [ ! -s "/tmp/$1.rc" ]; do
		[ $_i -ge $(($2 * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	VU_RC=$(cat "/tmp/$1.rc")
	return 0
}

vu_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

vu_cpu_of_queue() {
	sed 's/[,-].*//' "/sys/block/$VNG_DISK/mq/$1/cpu_list"
}

vu_disk_by_serial() {
	for _d in /sys/block/vd*; do
		[ -e "$_d" ] || continue
		[ "$(cat "$_d/serial" 2>/dev/null)" = "$1" ] && basename "$_d"
	done
	return 0
}

vu_inflight() {
	awk '{ print $1, $2 }' "/sys/block/$VNG_DISK/inflight"
}

vu_pattern() {
	yes "$1" | head -c "$2"
}
