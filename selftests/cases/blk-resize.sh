#!/bin/sh
# A QMP block_resize while the guest runs reaches it as a config change:
# the disk grows, the new space works, the old data stays.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check "pattern" vngio write /dev/vda 60m 4m 9
echo 'VNG-QMP: {"execute": "block_resize", "arguments": {"device": "d0", "size": 134217728}}'
check "grows to 128 MiB" wait_eq /sys/block/vda/size 262144 30
check "resize logged" sh -c 'dmesg | grep -q "\[vda\] new size: 262144 512-byte logical blocks"'
check "old data intact" vngio verify /dev/vda 60m 4m 9
check "write in the new space" vngio write /dev/vda 120m 8m 10
check "verify the new space" vngio verify /dev/vda 120m 8m 10
echo 'VNG-QMP: {"execute": "block_resize", "arguments": {"device": "d0", "size": 100663296}}'
check "shrinks to 96 MiB" wait_eq /sys/block/vda/size 196608 30
check "beyond the end refused" sh -c '! vngio write /dev/vda 120m 4k 1 2>/dev/null'
check "vda clean" ng_clean vda
vng_done
