#!/bin/sh
# Hot-unplug a disk under fio, many times over (twice on the stock
# virtio_pci + virtio_blk, then on virtio_pci_ng + virtio_blk_ng): each round
# plugs the disk in (QMP device_add, the loaded drivers bind it), starts fio
# (io_uring, QD16, random reads and writes), unplugs the disk (QMP
# device_del) while fio is busy, and requires that the disk goes away, fio
# ends and no task is left in D state, all within bounded time. A last
# round (ours) writes with fio --verify=crc32c and verifies after a re-plug.
# Rounds on ours: vng.unplugs=N on the kernel command line (default 4, 6 with
# --full; the long
# run is VNG_KARGS=vng.unplugs=100 selftests/run.sh blk-unplug-fio).
# vng-qemu: -blockdev driver=file,filename=@DISK0@,node-name=f0
# vng-qemu: -blockdev driver=raw,file=f0,node-name=d0
# vng-timeout: 900
# vng-needs: fio hotplug
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/ng-lib.sh

rounds=$(sed -n 's/.*vng\.unplugs=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -z "$rounds" ]; then
	rounds=4
	grep -qw vng.full=1 /proc/cmdline && rounds=6
fi

plug_cmd() { echo "VNG-QMP: {\"execute\": \"device_add\", \"arguments\": {\"driver\": \"virtio-blk-pci\", \"drive\": \"d0\", \"id\": \"u$1\"}}" >/dev/console; }
# no_disk_fn: no virtio-blk PCI function is left in the guest
no_disk_fn() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/device" 2>/dev/null)" = 0x1001 ] && return 1
	done
	return 0
}
# (QMP requests go to the console itself: inside "check" stdout is captured.)
# plug N: device_add disk uN and wait for it. QEMU releases an unplugged
# function (and its drive) only after the guest ejected it: wait until the
# guest has let go of the previous one first, or QEMU refuses the drive.
plug() {
	_i=0
	while ! no_disk_fn; do
		_i=$((_i + 1)); [ $_i -gt 300 ] && return 1
		sleep 0.1
	done
	sleep 1
	plug_cmd "$1"
	vng_wait_for /sys/block/vda/queue 90
}
unplug() { echo "VNG-QMP: {\"execute\": \"device_del\", \"arguments\": {\"id\": \"u$1\"}}" >/dev/console; }
# wait_gone PATH S: wait up to S seconds for PATH to disappear
wait_gone() {
	_i=0
	while [ -e "$1" ]; do
		_i=$((_i + 1)); [ $_i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}
# wait_pid PID S: wait up to S seconds for PID to exit (a zombie has)
wait_pid() {
	_i=0
	while [ -e /proc/$1/status ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null; do
		_i=$((_i + 1)); [ $_i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}
# dstate: tasks in D state now and still 1 s later (a stuck one, not a
# momentary I/O wait)
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
dstate() {
	_a=$(grep -l '^State:.*D' /proc/[0-9]*/status 2>/dev/null)
	sleep 1
	for _f in $_a; do grep -q '^State:.*D' "$_f" 2>/dev/null && echo "$_f"; done | wc -l
}
FIO="fio --name=hot --filename=/dev/vda --direct=1 --ioengine=io_uring \
	--iodepth=16 --rw=randrw --bs=4k --size=32m --time_based --runtime=60"

# unplug_rounds TAG N: N rounds of plug, fio, unplug under fio, on the
# drivers loaded; the checks are named after TAG.
unplug_rounds() {
tag=$1 n=$2
plugged=0 gone=0 ended=0 hung=0 busy=0 errs=0 slowest=0
i=1
while [ $i -le "$n" ]; do
	if ! plug "$tag$i"; then
		echo "# $tag round $i: the disk did not appear"
		break
	fi
	plugged=$((plugged + 1))
	$FIO --output=/tmp/fio.$i >/dev/null 2>&1 &
	pid=$!
	# Let fio get going: wait until the disk has completed some I/O.
	b=$(awk '{ print $1 + $5 }' /sys/block/vda/stat)
	j=0
	while [ $j -lt 100 ] && [ "$(awk '{ print $1 + $5 }' /sys/block/vda/stat)" -lt $((b + 64)) ]; do
		j=$((j + 1)); sleep 0.1
	done
	[ "$(awk '{ print $9 }' /sys/block/vda/stat)" -gt 0 ] && busy=$((busy + 1))
	t0=$(now_ms)
	unplug "$tag$i"
	wait_gone /sys/block/vda 60 && gone=$((gone + 1))
	t1=$(now_ms)
	if wait_pid $pid 60; then
		t2=$(now_ms)
		echo "# $tag round $i: disk gone after $((t1 - t0)) ms, fio ended after $((t2 - t0)) ms"
		[ $((t2 - t0)) -gt "$slowest" ] && slowest=$((t2 - t0))
		ended=$((ended + 1))
		wait $pid || errs=$((errs + 1))
	else
		echo "# $tag round $i: fio still running 60 s after the unplug"
		kill -9 $pid
	fi
	[ "$(dstate)" -eq 0 ] || { hung=$((hung + 1)); echo "# $tag round $i: tasks in D state"; }
	[ -e /sys/block/vda ] && break
	i=$((i + 1))
done
echo "# $tag: $plugged plugged, $gone unplugged, fio ended $ended times ($errs with I/O errors), I/O in flight at $busy unplugs; slowest unplug-to-fio-exit $slowest ms"
check_eq "$tag: $n disks plugged in" $plugged "$n"
check_eq "$tag: $n disks unplugged under fio" $gone "$n"
check_eq "$tag: fio ended every time" $ended "$n"
check_eq "$tag: no task left in D state" $hung 0
# fio fails when its disk goes away under it: proof the unplug hit it busy.
check "$tag: fio was cut off by most unplugs" test $((errs * 2)) -ge "$n"
check "$tag: no hung-task report" sh -c "! dmesg | grep -q 'blocked for more than'"
}

check "fio is in the guest" fio --version
# The stock drivers first (two rounds: the same fault on the driver we
# compare with), then ours.
vng_load virtio_pci virtio_blk
unplug_rounds stock 2
vng_unload virtio_blk virtio_pci
vng_load virtio_pci_ng virtio_blk_ng
unplug_rounds ng "$rounds"

# Data survives a clean unplug: write with crc32c headers, re-plug, verify.
V="--name=v --filename=/dev/vda --direct=1 --ioengine=io_uring --iodepth=8 \
	--bs=4k --size=16m --offset=32m --verify=crc32c --verify_fatal=1"
check "disk back" plug v1
check "fio write with crc32c" fio $V --rw=randwrite --do_verify=0 --randseed=7
unplug v1
check "unplugged" wait_gone /sys/block/vda 60
check "plugged again" plug v2
check "fio verify crc32c after re-plug" fio $V --rw=randwrite --verify_only --randseed=7
check "no request failed on the clean disk" ng_clean vda
vng_done
