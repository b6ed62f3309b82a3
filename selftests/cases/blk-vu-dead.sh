#!/bin/sh
# virtio_blk_ng against a device that stops answering (vhost-user-bad
# "stall" at the second write): the write times out, the device is reset
# three times (the stall persists), then the driver gives up. The write
# fails with EIO, the disk is marked dead, later I/O on both queues fails
# at once, and the driver unbinds without waiting. (Stock virtio_blk:
# every request waits for ever, vu-stock-stall.)
# vng-vhost-user: --fault 'stall type=out nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: grep -q "hits rule 'stall" vhost0.log && grep -q 'device stalls' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "io_timeout 1 s" sh -c 'echo 1000 > /sys/block/vda/queue/io_timeout'
vdev=$(basename "$(readlink /sys/block/vda/device)")
q0=$(vu_cpu_of_queue 0)
q1=$(vu_cpu_of_queue 1)
check "the first write succeeds" taskset -c $q0 vngio write /dev/vda 1m 4k 1
t0=$(vu_ms)
vu_bg w taskset -c $q0 vngio expect EIO write /dev/vda 2m 4k 2
if vu_wait w 60; then check_eq "the stalled write fails with EIO" "$VU_RC" 0
else fail "the stalled write still waits after 60 s"; fi
t1=$(vu_ms)
echo "# gave up after $((t1 - t0)) ms"
check_eq "four timeouts" "$(ng_stat vda timeouts)" 4
check_eq "three device resets" "$(ng_rec vda dev_resets)" 3
check_eq "state dead" "$(ng_rec vda state)" dead
check "logged once, with the reason" sh -c "[ \"\$(dmesg | grep -c 'device marked dead')\" = 1 ] && dmesg | grep -q 'the request timed out too often; device marked dead'"
# A dead disk has capacity 0 (blk_mark_disk_dead()): reads find nothing,
# without waiting for anything (a timeout far away shows it).
check_eq "capacity 0" "$(cat /sys/block/vda/size)" 0
check "io_timeout 30 s" sh -c 'echo 30000 > /sys/block/vda/queue/io_timeout'
t0=$(vu_ms)
for q in $q0 $q1; do
	check "a read on CPU $q gets no data" sh -c "taskset -c $q vngio verify /dev/vda 0 4k 1 2>&1 | grep -q 'short read'"
done
t1=$(vu_ms)
check "at once ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 15000
check "unbind" sh -c "echo $vdev > /sys/bus/virtio/drivers/virtio_blk_ng/unbind"
check "/dev/vda is gone" test ! -e /sys/block/vda
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
