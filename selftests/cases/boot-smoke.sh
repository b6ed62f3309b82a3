#!/bin/sh
# Smoke test of the harness: the guest boots with 2 CPUs, the stock
# drivers bind a virtio-blk-pci disk and it reads and writes.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0
# vng-timeout: 120
. /vng/lib.sh
check_eq "guest sees 2 CPUs" "$(nproc)" 2
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check_eq "vda is 64 MiB" "$(cat /sys/block/vda/size)" 131072
check "write 1 MiB" dd if=/dev/urandom of=/tmp/pat bs=1M count=1
check "write to vda" dd if=/tmp/pat of=/dev/vda bs=1M count=1 oflag=direct
check "read back" dd if=/dev/vda of=/tmp/back bs=1M count=1 iflag=direct
check "data matches" cmp /tmp/pat /tmp/back
vng_done
