#!/bin/sh
# sysfs serial comes from VIRTIO_BLK_T_GET_ID: a short ID, one of exactly
# 20 bytes (no terminator on the wire) and none at all.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=VNG-SERIAL-0001
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=ABCDEFGHIJKLMNOPQRST
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "three disks" vng_wait_for /sys/block/vdc
check_eq "short serial" "$(cat /sys/block/vda/serial)" VNG-SERIAL-0001
check_eq "20-byte serial" "$(cat /sys/block/vdb/serial)" ABCDEFGHIJKLMNOPQRST
check_eq "20-byte serial is 20 bytes" "$(wc -c </sys/block/vdb/serial)" 20
check_eq "no serial" "$(cat /sys/block/vdc/serial)" ""
check_eq "read twice, same answer" "$(cat /sys/block/vda/serial)" VNG-SERIAL-0001
check "get_id commands counted" test "$(ng_op vda get_id)" -ge 2
check "vda clean" ng_clean vda
check "vdc clean" ng_clean vdc
check "no lifetime directory without VIRTIO_BLK_F_LIFETIME" sh -c '! test -e /sys/block/vda/lifetime'
vng_done
