#!/bin/sh
# Freeze/restore (system suspend, pm_test=devices) and a transport reset
# (PCI function reset: reset_prepare/reset_done) with data on the disk.
# Both reset the device, and QEMU's reset returns its cache to writeback:
# cache_type, set to write through first, must hold across both. The guest
# asks QEMU for its block state (query-block) after each step; the host
# check wants d0 write-through in all three answers.
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,bus=rp0,num-queues=2
# vng-post: python3 -c 'import json,sys; r=[json.loads(l.split("QMP reply ",1)[1]) for l in open(sys.argv[1]) if "# host: QMP reply" in l]; wb=[[b["inserted"]["cache"]["writeback"] for b in x["return"] if b["device"]=="d0"][0] for x in r if isinstance(x.get("return"),list)]; print("# host: d0 writeback per query-block:", wb); sys.exit(wb != [False, False, False])' "$log"
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh

# Ask QEMU for its view; it answers asynchronously: give it time.
qemu_query() {
	echo 'VNG-QMP: {"execute": "query-block"}'
	sleep 3
}

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "pattern" vngio write /dev/vda 0 4m 71
c=/sys/block/vda/cache_type
check "set write through" sh -c "echo 'write through' > $c"
qemu_query

# Suspend to idle, devices only: drivers freeze and restore.
if [ -w /sys/power/pm_test ] && grep -q freeze /sys/power/state; then
	echo devices >/sys/power/pm_test
	check "suspend/resume cycle" sh -c 'echo freeze > /sys/power/state'
	echo none >/sys/power/pm_test
	check "data after resume" vngio verify /dev/vda 0 4m 71
	check "I/O after resume" sh -c 'vngio write /dev/vda 8m 4m 72 && vngio verify /dev/vda 8m 4m 72'
	check "both queues after resume" sh -c "[ \$(grep -c '^vq' $NGDBG/vda/stats) = 2 ]"
	qemu_query
	check_eq "write through after resume" "$(cat $c)" "write through"
else
	skip "suspend/resume cycle" "no pm_test or freeze state"
fi

bdf=$(basename "$(readlink -f /sys/block/vda/device/..)")
if [ -w /sys/bus/pci/devices/$bdf/reset ]; then
	# I/O running while the function resets.
	vngio write /dev/vda 16m 16m 73 &
	check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
	wait $!
	check "writer finished" vngio verify /dev/vda 16m 16m 73
	check "data after reset" vngio verify /dev/vda 0 4m 71
	qemu_query
	check_eq "write through after reset" "$(cat $c)" "write through"
	check_eq "queue write through after reset" \
		"$(cat /sys/block/vda/queue/write_cache)" "write through"
else
	skip "function reset" "no reset method for $bdf"
fi
check "vda clean" ng_clean vda
check "no complaints in the log" ng_no_complaints
vng_done
