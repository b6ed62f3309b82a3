#!/bin/sh
# Data integrity on two queues: O_DIRECT with many segment shapes, large
# requests split by the segment limits, page-cache I/O, parallel writers.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,num-queues=2
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "two queues" "$(ls -d /sys/block/vda/mq/* | wc -l)" 2

# Sizes from one sector to several MiB, at sector (not page) offsets.
ok_all=1
for spec in "512 512" "1536 1024" "4096 3584" "65536 7680" "1048576 4096" "4194304 33280"; do
	set -- $spec
	vngio write /dev/vda "$2" "$1" "$1" || ok_all=0
	vngio verify /dev/vda "$2" "$1" "$1" || ok_all=0
done
check_eq "odd sizes and offsets" $ok_all 1

max_kb=$(cat /sys/block/vda/queue/max_sectors_kb)
check "max_segments within the ring" test "$(cat /sys/block/vda/queue/max_segments)" -le 254
check "requests larger than max_sectors_kb ($max_kb KiB)" vngio write /dev/vda 16m 8m 77
check "verify them" vngio verify /dev/vda 16m 8m 77

# Page cache: write through the cache, sync, drop it, read back.
check "buffered write" dd if=/dev/urandom of=/tmp/pat bs=1M count=3
check "buffered copy" dd if=/tmp/pat of=/dev/vda bs=64k seek=512 conv=fsync
echo 3 >/proc/sys/vm/drop_caches
check "buffered read back" dd if=/dev/vda of=/tmp/back bs=64k skip=512 count=48
check "cached data matches" cmp /tmp/pat /tmp/back

# Parallel writers on both CPUs, disjoint ranges, then verify all.
for i in 0 1 2 3; do
	vngio write /dev/vda $((40 + i * 4))m 4m $((100 + i)) &
done
wait
ok_all=1
for i in 0 1 2 3; do
	vngio verify /dev/vda $((40 + i * 4))m 4m $((100 + i)) || ok_all=0
done
check_eq "parallel writers" $ok_all 1
check "both queues used" sh -c "[ \$(grep -c 'submitted=[1-9]' $NGDBG/vda/stats) = 2 ]"
check_eq "every command completed" "$(ng_stat vda completed)" "$(ng_stat vda submitted)"
check "no rejected completion" ng_clean vda
check "no complaints in the log" ng_no_complaints
vng_done
