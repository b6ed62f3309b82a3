#!/bin/sh
# The switch on (virtio_pci_ng.preferred=1 virtio_blk_ng.preferred=1, the
# harness's default command line): whatever order the four modules load
# in, virtio_pci_ng and virtio_blk_ng bind both disks, vda and vdb.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=bind-vda,disable-legacy=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=bind-vdb,disable-legacy=on
# vng-needs: kmod
# vng-timeout: 400
. /vng/lib.sh
. /vng/bind-lib.sh

bind_rounds virtio-pci-ng virtio_blk_ng
bind_unload
vng_done
