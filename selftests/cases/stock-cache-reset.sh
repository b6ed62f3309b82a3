#!/bin/sh
# Stock virtio_blk's cache_type across device resets (suspend with
# pm_test=devices, then a PCI function reset). QEMU's reset returns the
# device's cache to its default, writeback; records that the stock driver
# follows the device in cache_type (it reads wce from the device) but
# leaves the queue write through, so the block layer sends no flushes to a
# write-back cache. The host check wants QEMU's query-block answers to show
# d0 write-through, then writeback after each reset. virtio_blk_ng keeps
# the choice: blk-pm.
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,bus=rp0
# vng-post: python3 -c 'import json,sys; r=[json.loads(l.split("QMP reply ",1)[1]) for l in open(sys.argv[1]) if "# host: QMP reply" in l]; wb=[[b["inserted"]["cache"]["writeback"] for b in x["return"] if b["device"]=="d0"][0] for x in r if isinstance(x.get("return"),list)]; print("# host: d0 writeback per query-block:", wb); sys.exit(wb != [False, True, True])' "$log"
# vng-timeout: 300
. /vng/lib.sh

# Ask QEMU for its view; it answers asynchronously: give it time.
qemu_query() {
	echo 'VNG-QMP: {"execute": "query-block"}'
	sleep 3
}

vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
c=/sys/block/vda/cache_type
w=/sys/block/vda/queue/write_cache
check "set write through" sh -c "echo 'write through' > $c"
check_eq "queue write through" "$(cat $w)" "write through"
qemu_query

echo devices >/sys/power/pm_test
check "suspend/resume cycle" sh -c 'echo freeze > /sys/power/state'
echo none >/sys/power/pm_test
qemu_query
check_eq "after resume: cache_type follows the device" "$(cat $c)" "write back"
check_eq "after resume: the queue stays write through" "$(cat $w)" "write through"

bdf=$(basename "$(readlink -f /sys/block/vda/device/..)")
check "write through again" sh -c "echo 'write through' > $c"
check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
qemu_query
check_eq "after reset: cache_type follows the device" "$(cat $c)" "write back"
check_eq "after reset: the queue stays write through" "$(cat $w)" "write through"
vng_done
