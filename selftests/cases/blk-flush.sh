#!/bin/sh
# Cache flushes reach a writeback device and only that one.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,write-cache=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,write-cache=off,config-wce=off
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda and vdb" vng_wait_for /sys/block/vdb
check_eq "vda writeback" "$(cat /sys/block/vda/queue/write_cache)" "write back"
check_eq "vda cache_type" "$(cat /sys/block/vda/cache_type)" "write back"
check_eq "vdb write through" "$(cat /sys/block/vdb/queue/write_cache)" "write through"
check_eq "vdb cache_type" "$(cat /sys/block/vdb/cache_type)" "write through"
check_eq "no FUA (virtio has none)" "$(cat /sys/block/vda/queue/fua)" 0

before=$(ng_op vda flush)
check "fsync vda" vngio flush /dev/vda
check "flush reached vda" test "$(ng_op vda flush)" -gt "$before"
check "fsync vdb" vngio flush /dev/vdb
check_eq "no flush sent to vdb" "$(ng_op vdb flush)" 0
check "O_DIRECT write + verify after flushes" sh -c 'vngio write /dev/vda 0 1m 3 && vngio verify /dev/vda 0 1m 3'
check "vda clean" ng_clean vda
check "vdb clean" ng_clean vdb
vng_done
