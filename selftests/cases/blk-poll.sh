#!/bin/sh
# poll_queues: virtqueues without interrupts behind HCTX_TYPE_POLL; io_uring
# IOPOLL completes through ->poll. A disk with a single queue keeps its
# interrupt and refuses polled I/O. A packed ring (vdc) is polled too:
# ->poll's first look, made without the lock, reads the descriptor flags
# there instead of the used index.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,num-queues=1
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,num-queues=2,packed=on
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci
check "modprobe poll_queues=1" modprobe virtio_blk_ng poll_queues=1
check "vda, vdb and vdc" vng_wait_for /sys/block/vdc
check_eq "vda: 1 default + 1 poll" "$(ng_cfg vda nr_default) $(ng_cfg vda nr_poll)" "1 1"
check_eq "vda: poll virtqueue" "$(awk '{print $2}' $NGDBG/vda/stats | tr '\n' ' ')" "irq poll "
check_eq "vda: io_poll" "$(cat /sys/block/vda/queue/io_poll)" 1
check_eq "vda: two hardware queues" "$(ls -d /sys/block/vda/mq/* | wc -l)" 2
check_eq "vdb: no poll queue" "$(ng_cfg vdb nr_poll)" 0
check_eq "vdb: io_poll off" "$(cat /sys/block/vdb/queue/io_poll)" 0

p0=$(ng_stat vda polled)
check "io_uring IOPOLL write+verify" vngio uring /dev/vda 0 8m 41 poll 32
check "completions found by polling" test "$(ng_stat vda polled)" -gt "$p0"
check_eq "poll queue took no interrupt" "$(awk '$2 == "poll"' $NGDBG/vda/stats | grep -o 'interrupts=[0-9]*')" interrupts=0
check "io_uring with interrupts" vngio uring /dev/vda 8m 4m 42
check "plain O_DIRECT still fine" vngio verify /dev/vda 0 8m 41
check "vdb refuses IOPOLL" vngio expect EOPNOTSUPP uring /dev/vdb 0 64k 1 poll 4
check "vdb io_uring with interrupts" vngio uring /dev/vdb 0 4m 43
vdev=$(basename "$(readlink /sys/block/vdc/device)")
check_eq "vdc: VIRTIO_F_RING_PACKED negotiated" "$(cut -c 35 /sys/bus/virtio/devices/$vdev/features)" 1
check_eq "vdc: 1 default + 1 poll" "$(ng_cfg vdc nr_default) $(ng_cfg vdc nr_poll)" "1 1"
p2=$(ng_stat vdc polled)
check "vdc: io_uring IOPOLL write+verify on a packed ring" vngio uring /dev/vdc 0 8m 44 poll 32
check "vdc: completions found by polling" test "$(ng_stat vdc polled)" -gt "$p2"
check "vda clean" ng_clean vda
check "vdb clean" ng_clean vdb
check "vdc clean" ng_clean vdc
check "no complaints in the log" ng_no_complaints
vng_done
