#!/bin/sh
# virtio_blk_ng over virtio-mmio on microvm: QEMU's default legacy
# (version 1) interface, guest-endian headers.
# vng-machine: microvm
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-device,drive=d0,serial=mmio0
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_mmio virtio_blk_ng
check "vda appears" vng_wait_for /sys/block/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "virtio-mmio transport" "$(basename "$(readlink /sys/block/vda/device/../driver)")" virtio-mmio
check_eq "legacy interface (no VERSION_1)" "$(cut -c33 /sys/block/vda/device/features)" 0
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check_eq "serial" "$(cat /sys/block/vda/serial)" mmio0
check "O_DIRECT write 4 MiB" vngio write /dev/vda 0 4m 21
check "O_DIRECT verify 4 MiB" vngio verify /dev/vda 0 4m 21
check "flush" vngio flush /dev/vda
check "io_uring" vngio uring /dev/vda 8m 1m 22
check "no rejected completion" ng_clean vda
check "no complaints in the log" ng_no_complaints
check "rmmod" rmmod virtio_blk_ng
check "vda gone" sh -c '! test -e /sys/block/vda'
vng_done
