#!/bin/sh
# Discard, write zeroes (with and without unmap) and secure erase, on a
# device that offers discard and write zeroes and on one that offers
# neither. QEMU 7.2 has no secure erase: it must be refused.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,discard=unmap -device virtio-blk-pci,drive=d0,discard=on,write-zeroes=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,discard=off,write-zeroes=off
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda and vdb" vng_wait_for /sys/block/vdb
q=/sys/block/vda/queue
check "vda discard limit" test "$(cat $q/discard_max_hw_bytes)" -gt 0
check "vda write zeroes limit" test "$(cat $q/write_zeroes_max_bytes)" -gt 0
check_eq "vda may unmap on write zeroes" "$(ng_cfg vda wz_may_unmap)" 1
check_eq "unmap limit = write zeroes limit" "$(cat $q/write_zeroes_unmap_max_hw_bytes)" "$(cat $q/write_zeroes_max_bytes)"
check_eq "vda max_write_zeroes_seg" "$(ng_cfg vda max_write_zeroes_seg)" 1
check_eq "vda no secure erase" "$(ng_cfg vda secure_erase)" 0

check "pattern" vngio write /dev/vda 0 8m 5
d0=$(ng_op vda discard)
check "BLKDISCARD 1 MiB" vngio discard /dev/vda 1m 1m
check "discard reached the device" test "$(ng_op vda discard)" -gt "$d0"
check "data around the discard intact" sh -c 'vngio verify /dev/vda 0 1m 5 && vngio verify /dev/vda 2m 1m 5'

z0=$(ng_op vda write_zeroes)
check "BLKZEROOUT 1 MiB" vngio zeroout /dev/vda 3m 1m
check "reads back zero" vngio zero /dev/vda 3m 1m
check "sent as write zeroes without unmap" test "$(ng_op vda write_zeroes)" -gt "$z0"
check "neighbours intact" sh -c 'vngio verify /dev/vda 2m 1m 5 && vngio verify /dev/vda 4m 1m 5'

u0=$(ng_op vda write_zeroes_unmap)
check "punch hole 1 MiB" vngio punch /dev/vda 5m 1m
check "punched range reads zero" vngio zero /dev/vda 5m 1m
check "sent as write zeroes with unmap" test "$(ng_op vda write_zeroes_unmap)" -gt "$u0"
check "tail intact" vngio verify /dev/vda 6m 2m 5

check "BLKSECDISCARD refused" vngio expect EOPNOTSUPP secdiscard /dev/vda 0 1m
check_eq "no secure erase sent" "$(ng_op vda secure_erase)" 0
check "vda clean" ng_clean vda

q=/sys/block/vdb/queue
check_eq "vdb no discard" "$(cat $q/discard_max_hw_bytes)" 0
check_eq "vdb no write zeroes" "$(cat $q/write_zeroes_max_bytes)" 0
check "vdb pattern" vngio write /dev/vdb 0 2m 6
check "vdb BLKDISCARD refused" vngio expect EOPNOTSUPP discard /dev/vdb 0 1m
check "vdb BLKZEROOUT falls back to writes" vngio zeroout /dev/vdb 0 1m
check "vdb reads back zero" vngio zero /dev/vdb 0 1m
check "vdb rest intact" vngio verify /dev/vdb 1m 1m 6
check "vdb punch refused" vngio expect EOPNOTSUPP punch /dev/vdb 0 1m
check_eq "vdb got no write zeroes" "$(ng_op vdb write_zeroes)$(ng_op vdb write_zeroes_unmap)" 00
check_eq "vdb got no discard" "$(ng_op vdb discard)" 0
check "vdb clean" ng_clean vdb
check "no complaints in the log" ng_no_complaints
vng_done
