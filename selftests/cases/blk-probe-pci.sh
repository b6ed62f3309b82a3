#!/bin/sh
# virtio_blk_ng drives a virtio-blk-pci disk over the stock virtio_pci:
# naming, size, O_DIRECT write/verify, counters, unbind and rebind.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /sys/block/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "64 MiB" "$(cat /sys/block/vda/size)" 131072
check "own block major" grep -q ' virtblk_ng$' /proc/devices
check "/dev/vda node" vng_wait_for /dev/vda
check "debugfs files" test -r $NGDBG/vda/stats -a -r $NGDBG/vda/ops -a -r $NGDBG/vda/config

check "O_DIRECT write 8 MiB" vngio write /dev/vda 0 8m 11
check "O_DIRECT verify 8 MiB" vngio verify /dev/vda 0 8m 11
check "verify a sub-range" vngio verify /dev/vda 3m 68k 11
check "a wrong pattern is detected" sh -c '! vngio verify /dev/vda 0 4k 12 2>/dev/null'
check "write at the last sector" vngio write /dev/vda 67108352 512 5
check "verify the last sector" vngio verify /dev/vda 67108352 512 5
check_eq "nothing to read past the end" "$(dd if=/dev/vda bs=512 skip=131072 count=1 iflag=direct 2>/dev/null | wc -c)" 0
check "no write past the end" sh -c '! vngio write /dev/vda 64m 4k 1 2>/dev/null'

sub=$(ng_stat vda submitted)
check_eq "every command completed" "$(ng_stat vda completed)" "$sub"
check "commands were counted" test "$sub" -gt 0
check "reads and writes counted" test "$(ng_op vda read)" -gt 0 -a "$(ng_op vda write)" -gt 0
check "interrupts counted" test "$(ng_stat vda interrupts)" -gt 0
check "kicks counted" test "$(ng_stat vda kicks)" -gt 0
check "no rejected completion" ng_clean vda
check_eq "queues per plan" "$(ls -d /sys/block/vda/mq/* | wc -l)" "$(ng_cfg vda nr_vqs)"

check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "vda gone" sh -c '! test -e /sys/block/vda'
check "debugfs root gone" sh -c "! test -e $NGDBG"
check "modprobe again" modprobe virtio_blk_ng
check "vda back" vng_wait_for /sys/block/vda
check "data survived" vngio verify /dev/vda 0 8m 11
v=$(basename "$(readlink /sys/block/vda/device)")
check "unbind" sh -c "echo $v > /sys/bus/virtio/drivers/virtio_blk_ng/unbind"
check "vda gone after unbind" sh -c '! test -e /sys/block/vda'
check "bind" sh -c "echo $v > /sys/bus/virtio/drivers/virtio_blk_ng/bind"
check "vda back after bind" vng_wait_for /sys/block/vda
check "data survived rebind" vngio verify /dev/vda 3m 1m 11
check "no complaints in the log" ng_no_complaints
vng_unload virtio_blk_ng virtio_pci
vng_done
