#!/bin/sh
# cache_type toggles the device's writeback cache (VIRTIO_BLK_F_CONFIG_WCE).
# The guest asks QEMU for its block state (query-block) after each toggle;
# the host check reads QEMU's answers from the log: d0's backend cache must
# have gone write-through and back. Without CONFIG_WCE the attribute is
# read-only.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,config-wce=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,config-wce=off
# vng-post: python3 "$TOP/selftests/tools/qmp-writeback.py" "$log" d0 true,false,true
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh


vng_load virtio_pci virtio_blk_ng
check "vda and vdb" vng_wait_for /sys/block/vdb
a=/sys/block/vda/cache_type
check_eq "starts write back" "$(cat $a)" "write back"
check_eq "writable" "$(stat -c %a $a)" 644
vng_query_block
check "set write through" sh -c "echo 'write through' > $a"
check_eq "cache_type follows" "$(cat $a)" "write through"
check_eq "queue follows" "$(cat /sys/block/vda/queue/write_cache)" "write through"
check_eq "device reports wce 0" "$(ng_cfg vda wce)" 0
vng_query_block
check "nonsense refused" sh -c "! echo 'write sideways' > $a 2>/dev/null"
check_eq "unchanged by nonsense" "$(cat $a)" "write through"
f0=$(ng_op vda flush)
check "fsync in write through" vngio flush /dev/vda
check_eq "no flush sent" "$(ng_op vda flush)" "$f0"

check "set write back" sh -c "echo 'write back' > $a"
check_eq "write back again" "$(cat /sys/block/vda/queue/write_cache)" "write back"
check_eq "device reports wce 1" "$(ng_cfg vda wce)" 1
vng_query_block
check "fsync in write back" vngio flush /dev/vda
check "flush sent" test "$(ng_op vda flush)" -gt "$f0"

b=/sys/block/vdb/cache_type
check_eq "vdb read-only attribute" "$(stat -c %a $b)" 444
check "vdb store refused" sh -c "! echo 'write through' > $b 2>/dev/null"
check "vda clean" ng_clean vda
vng_done
