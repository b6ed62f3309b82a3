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
# vng-post: python3 "$TOP/selftests/tools/qmp-writeback.py" "$log" d0 false,true,true
# vng-timeout: 300
. /vng/lib.sh


vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
c=/sys/block/vda/cache_type
w=/sys/block/vda/queue/write_cache
check "set write through" sh -c "echo 'write through' > $c"
check_eq "queue write through" "$(cat $w)" "write through"
vng_query_block

echo devices >/sys/power/pm_test
check "suspend/resume cycle" sh -c 'echo freeze > /sys/power/state'
echo none >/sys/power/pm_test
vng_query_block
check_eq "after resume: cache_type follows the device" "$(cat $c)" "write back"
check_eq "after resume: the queue stays write through" "$(cat $w)" "write through"

bdf=$(basename "$(readlink -f /sys/block/vda/device/..)")
check "write through again" sh -c "echo 'write through' > $c"
check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
vng_query_block
check_eq "after reset: cache_type follows the device" "$(cat $c)" "write back"
check_eq "after reset: the queue stays write through" "$(cat $w)" "write through"
vng_done
