#!/bin/sh
# virtio_blk_ng over the new virtio_pci_ng transport (modern only).
# Skipped while virtio_pci_ng does not bind the device.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,disable-legacy=on,num-queues=2,serial=png0
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

if ! modprobe virtio_pci_ng 2>/dev/null; then
	skip "virtio_blk_ng over virtio_pci_ng" "no virtio_pci_ng module"
	vng_done
fi
bdf=$(vng_pci_virtio_devs | head -1)
if ! vng_wait_for /sys/bus/pci/devices/$bdf/driver 5 ||
   [ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" != virtio-pci-ng ]; then
	skip "virtio_blk_ng over virtio_pci_ng" "virtio_pci_ng did not bind $bdf"
	vng_done
fi
ok "virtio_pci_ng bound $bdf"
vng_load virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "serial" "$(cat /sys/block/vda/serial)" png0
check_eq "two queues" "$(ls -d /sys/block/vda/mq/* | wc -l)" 2
check "O_DIRECT write 8 MiB" vngio write /dev/vda 0 8m 51
check "O_DIRECT verify 8 MiB" vngio verify /dev/vda 0 8m 51
check "flush" vngio flush /dev/vda
check "zeroout" sh -c 'vngio zeroout /dev/vda 1m 1m && vngio zero /dev/vda 1m 1m'
check "io_uring" vngio uring /dev/vda 16m 4m 52
check "vda clean" ng_clean vda
check "no complaints in the log" ng_no_complaints
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
