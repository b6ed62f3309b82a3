#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark's guest side (run by scripts/bench.sh, which prepends the
# settings below). One boot: the stock pair (virtio_pci + virtio_blk) and
# ours (virtio_pci_ng + virtio_blk_ng) take turns on the same devices,
# A B B A ..., by module unload/load; null_blk is the block layer's floor.
# Each measurement is one line:
#   BENCH set=S dev=D drv=X round=R point=P fio_rc=N BENCHMON-FIELDS
# (see selftests/bench/benchmon.c), and fio's terse line as "FIO ...".
#
# Settings (from scripts/bench.sh):
#   BENCH_ROUNDS    rounds; each runs both pairs, order alternating
#   BENCH_POINTS    points on the null-co disk (serial vng-null)
#   BENCH_RAW       points on the raw-file disk (serial vng-raw)
#   BENCH_NULLBLK   points on null_blk (once per boot)
#   BENCH_WARM_MS   ms of a job before the measured window
#   BENCH_WIN_MS    the measured window (guest ms)
#   BENCH_PROFILE   if set: only profile these points on null-co with
#                   vng_prof (scripts/bench.sh --profile)
. /vng/lib.sh
: "${BENCH_ROUNDS:=4}" "${BENCH_WARM_MS:=300}" "${BENCH_WIN_MS:=1000}"
: "${BENCH_POINTS:=rr4k-qd1-j1}" "${BENCH_RAW:=}" "${BENCH_NULLBLK:=$BENCH_POINTS}"

# fio's options for a point: RW-BS-QD-JOBS, e.g. rr4k-qd32-j2, sr128k-qd32-j1,
# pr4k-qd1-j1 (polled randread). QD1 uses psync, deeper queues io_uring.
fio_args() {
	_p=$1
	_rw=${_p%%-*}
	_rest=${_p#*-}
	_qd=${_rest%%-*}
	_qd=${_qd#qd}
	_j=${_p##*-j}
	case $_rw in
	rr*) _mode=randread _bs=${_rw#rr} ;;
	rw*) _mode=randwrite _bs=${_rw#rw} ;;
	sr*) _mode=read _bs=${_rw#sr} ;;
	sw*) _mode=write _bs=${_rw#sw} ;;
	pr*) _mode=randread _bs=${_rw#pr} ;;
	*) echo "bad point $_p" >&2; return 1 ;;
	esac
	_eng="--ioengine=psync"
	[ "$_qd" -gt 1 ] && _eng="--ioengine=io_uring --iodepth=$_qd"
	case $_rw in
	pr*) _eng="--ioengine=io_uring --iodepth=$_qd --hipri=1" ;;
	esac
	_cpus="--cpus_allowed=0"
	[ "$_j" -gt 1 ] && _cpus="--cpus_allowed=0-$((_j - 1)) --cpus_allowed_policy=split"
	echo "--rw=$_mode --bs=$_bs $_eng --numjobs=$_j $_cpus"
}

# run_point SET DEV DRV ROUND POINT: one fio job with benchmon's window
# inside it; SET names the device (null-co, raw, nullblk)
run_point() {
	_set=$1
	shift
	_args=$(fio_args "$4") || return 1
	_rt=$((BENCH_WARM_MS + BENCH_WIN_MS + 400))
	# shellcheck disable=SC2086
	fio --name=b --filename="/dev/$1" --direct=1 --thread --group_reporting \
		--norandommap --randrepeat=0 --invalidate=0 --time_based \
		--disk_util=0 --eta=never \
		--runtime="${_rt}ms" --output-format=terse --terse-version=3 \
		$_args >/tmp/fio.out 2>/tmp/fio.err &
	_pid=$!
	# The disk's interrupts: the lines of its virtio device (virtioN-...).
	_irq=
	[ -e "/sys/block/$1/device" ] && _irq="$(basename "$(readlink -f "/sys/block/$1/device")")-"
	# shellcheck disable=SC2086
	_mon=$(benchmon "$1" "$BENCH_WARM_MS" "$BENCH_WIN_MS" $_irq 2>&1) || _mon="BENCHMON error"
	wait $_pid
	_rc=$?
	echo "BENCH set=$_set dev=$1 drv=$2 round=$3 point=$4 fio_rc=$_rc ${_mon#BENCHMON }"
	echo "FIO set=$_set dev=$1 drv=$2 round=$3 point=$4 $(cat /tmp/fio.out)"
	[ $_rc -eq 0 ] || sed 's/^/# fio: /' /tmp/fio.err | head -5
}

# disk_by_serial SERIAL: the vdX whose serial is SERIAL
disk_by_serial() {
	for _b in /sys/block/vd*; do
		[ "$(cat "$_b/serial" 2>/dev/null)" = "$1" ] && basename "$_b" && return 0
	done
	return 1
}

# use_pair stock|ng POLLQ: unload both pairs, load one with POLLQ poll queues
use_pair() {
	for _m in virtio_blk virtio_blk_ng virtio_pci virtio_pci_ng; do
		grep -q "^$_m " /proc/modules && { rmmod "$_m" || return 1; }
	done
	case $1 in
	stock) modprobe virtio_pci && modprobe virtio_blk poll_queues="$2" || return 1 ;;
	ng) modprobe virtio_pci_ng && modprobe virtio_blk_ng poll_queues="$2" || return 1 ;;
	esac
	_i=0
	while ! NUL=$(disk_by_serial vng-null) || { [ -n "$BENCH_RAW" ] && ! RAW=$(disk_by_serial vng-raw); }; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
	_drv=$(basename "$(readlink "/sys/block/$NUL/device/driver")")
	echo "PAIR $1 poll_queues=$2 null=$NUL raw=${RAW:-} driver=$_drv hwq=$(ls "/sys/block/$NUL/mq" | wc -l) io_poll=$(cat "/sys/block/$NUL/queue/io_poll")"
}

# visit DRV ROUND: every point of one pair in one round
visit() {
	use_pair "$1" 0 || { fail "load pair $1"; return 1; }
	for _pt in $BENCH_POINTS; do
		case $_pt in pr*) continue ;; esac
		run_point null-co "$NUL" "$1" "$2" "$_pt"
	done
	for _pt in $BENCH_RAW; do
		run_point raw "$RAW" "$1" "$2" "$_pt"
	done
	case " $BENCH_POINTS " in
	*" pr"*)
		use_pair "$1" 1 || { fail "load pair $1 with a poll queue"; return 1; }
		for _pt in $BENCH_POINTS; do
			case $_pt in pr*) run_point null-co "$NUL" "$1" "$2" "$_pt" ;; esac
		done ;;
	esac
}

# prof_point DRV ROUND POINT: one null-co job with the sampling profiler
# on during the window; prints "PROF ..." then "COUNT function" lines.
prof_point() {
	_args=$(fio_args "$3") || return 1
	_rt=$((BENCH_WARM_MS + BENCH_WIN_MS + 400))
	# shellcheck disable=SC2086
	fio --name=b --filename="/dev/$NUL" --direct=1 --thread --group_reporting \
		--norandommap --randrepeat=0 --invalidate=0 --time_based \
		--disk_util=0 --eta=never \
		--runtime="${_rt}ms" --output-format=terse --terse-version=3 \
		$_args >/tmp/fio.out 2>/tmp/fio.err &
	_pid=$!
	sleep "$(awk -v m="$BENCH_WARM_MS" 'BEGIN { printf "%.3f", m / 1000 }')"
	echo 1 >/proc/vng_prof
	_irq="$(basename "$(readlink -f "/sys/block/$NUL/device")")-"
	_mon=$(benchmon "$NUL" 0 "$BENCH_WIN_MS" "$_irq" 2>&1) || _mon="BENCHMON error"
	echo 0 >/proc/vng_prof
	wait $_pid
	_rc=$?
	echo "BENCH set=prof dev=$NUL drv=$1 round=$2 point=$3 fio_rc=$_rc ${_mon#BENCHMON }"
	[ $_rc -eq 0 ] || fail "fio $3 on $1 (exit $_rc): $(tail -1 /tmp/fio.err)"
	echo "PROF-BEGIN drv=$1 round=$2 point=$3 $(head -1 /proc/vng_prof)"
	tail -n +2 /proc/vng_prof | sort -rn | head -n 400
	echo "PROF-END"
}

# Measure on the final clocksource: "tsc" replaces "tsc-early" after the
# refined calibration, about a second into the boot.
_i=0
while [ "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" != tsc ]; do
	_i=$((_i + 1))
	[ $_i -gt 300 ] && { echo "# clocksource is still not tsc"; break; }
	sleep 0.1
done
sleep 2
insmod /bench/vng_cputime.ko || { fail "insmod vng_cputime"; vng_done; }
echo "DEVOPTS virtio-blk-pci${BENCH_DEVOPTS:-}"
if [ -n "${BENCH_PROFILE:-}" ]; then
	insmod /bench/vng_prof.ko || { fail "insmod vng_prof"; vng_done; }
	r=1
	while [ $r -le "$BENCH_ROUNDS" ]; do
		if [ $((r % 2)) -eq 1 ]; then order="stock ng"; else order="ng stock"; fi
		for d in $order; do
			echo "PROGRESS profile round $r/$BENCH_ROUNDS $d"
			for _pt in $BENCH_PROFILE; do
				# A polled point needs a poll queue, as in visit().
				case $_pt in pr*) _pq=1 ;; *) _pq=0 ;; esac
				use_pair "$d" $_pq || { fail "load pair $d"; break; }
				prof_point "$d" "$r" "$_pt"
			done
		done
		r=$((r + 1))
	done
	ok "profile finished"
	vng_done
fi
echo "CPUIDLE driver=$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null) governor=$(cat /sys/devices/system/cpu/cpuidle/current_governor_ro 2>/dev/null || cat /sys/devices/system/cpu/cpuidle/current_governor 2>/dev/null)"
echo "CLOCKSOURCE $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

# null_blk: the floor, and the reference that must repeat at the end.
modprobe null_blk nr_devices=1 queue_mode=2 submit_queues=2 poll_queues=1 \
	irqmode=0 gb=4 hw_queue_depth=64 || { fail "modprobe null_blk"; vng_done; }
vng_wait_for /dev/nullb0 || { fail "no /dev/nullb0"; vng_done; }
# shellcheck disable=SC2086
set -- $BENCH_NULLBLK
REF=$1
# Round 0 is a warm-up while the boot settles (the clocksource moves from
# tsc-early to tsc); the reference is compared between rounds 1 and 9.
run_point nullblk nullb0 nullblk 0 "$REF"
for _pt in $BENCH_NULLBLK; do
	run_point nullblk nullb0 nullblk 1 "$_pt"
done

r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then order="stock ng"; else order="ng stock"; fi
	for d in $order; do
		echo "PROGRESS round $r/$BENCH_ROUNDS $d"
		visit "$d" "$r"
	done
	r=$((r + 1))
done

use_pair stock 0 >/dev/null
run_point nullblk nullb0 nullblk 9 "$REF"
ok "benchmark finished"
vng_done
