#!/bin/sh
# A read-only device (VIRTIO_BLK_F_RO) gives a read-only disk that refuses
# writes, even after BLKROSET clears the block device's own flag.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,readonly=on -device virtio-blk-pci,drive=d0
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "ro flag" "$(cat /sys/block/vda/ro)" 1
check_eq "VIRTIO_BLK_F_RO negotiated" "$(cut -c6 /sys/block/vda/device/features)" 1
check "reads work" vngio zero /dev/vda 0 1m
check "write refused (EPERM)" vngio expect EPERM write /dev/vda 0 4k 1
check "BLKROSET 0" blockdev --setrw /dev/vda
check "still refused" vngio expect EPERM write /dev/vda 0 4k 1
check "discard refused" sh -c '! vngio discard /dev/vda 0 1m 2>/dev/null'
check_eq "no write reached the device" "$(ng_op vda write)" 0
check "vda clean" ng_clean vda
vng_done
