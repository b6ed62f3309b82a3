#!/bin/sh
# The switch off (the drivers' default; here given on the command line
# after the harness's preferred=1): whatever order the four modules load
# in, the stock virtio_pci and virtio_blk bind both disks, and ours,
# loaded all the same (udev loads every matching module), bind nothing.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=bind-vda,disable-legacy=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=bind-vdb,disable-legacy=on
# vng-kernel-args: virtio_pci_ng.preferred=0 virtio_blk_ng.preferred=0
# vng-needs: kmod
# vng-timeout: 400
. /vng/lib.sh
. /vng/bind-lib.sh

bind_rounds virtio-pci virtio_blk
check "virtio_blk_ng says why it binds nothing" \
	sh -c 'dmesg | grep -q "virtio_blk_ng: leaving virtio block devices to virtio_blk"'
check "virtio_pci_ng says why it binds nothing" \
	sh -c 'dmesg | grep -q "virtio_pci_ng: leaving virtio PCI functions to virtio_pci"'
bind_unload
vng_done
