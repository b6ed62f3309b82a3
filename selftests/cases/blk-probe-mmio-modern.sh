#!/bin/sh
# virtio_blk_ng over virtio-mmio version 2 (virtio 1.x, little-endian).
# vng-machine: microvm
# vng-qemu: -global virtio-mmio.force-legacy=false
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-device,drive=d0,serial=mmio1
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_mmio virtio_blk_ng
check "vda appears" vng_wait_for /sys/block/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "VERSION_1 negotiated" "$(cut -c33 /sys/block/vda/device/features)" 1
check_eq "serial" "$(cat /sys/block/vda/serial)" mmio1
check "O_DIRECT write 4 MiB" vngio write /dev/vda 0 4m 31
check "O_DIRECT verify 4 MiB" vngio verify /dev/vda 0 4m 31
check "zeroout" vngio zeroout /dev/vda 1m 64k
check "zeroed" vngio zero /dev/vda 1m 64k
check "rest intact" vngio verify /dev/vda 0 1m 31
check "no rejected completion" ng_clean vda
check "no complaints in the log" ng_no_complaints
vng_done
