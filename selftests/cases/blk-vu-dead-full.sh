#!/bin/sh
# virtio_blk_ng gives up on a device that stopped answering while its ring
# is full (vhost-user-bad "stall" at the second write, no indirect
# descriptors, a 16-entry ring: five 4k writes fill it, the queue stops on
# the sixth and blk-mq holds the rest back). Giving up must run the stopped
# queue again, so that the requests held back fail too: every writer ends
# with EIO, the disk is marked dead and the driver unbinds. (Before that,
# the held-back requests waited for ever and so did del_gendisk().)
# vng-vhost-user: --no-indirect --fault 'stall type=out nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=1,queue-size=16
# vng-timeout: 420
# vng-post: grep -q 'device stalls' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

writers="1 2 3 4 5 6 7 8"

vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "io_timeout 1 s" sh -c 'echo 1000 > /sys/block/vda/queue/io_timeout'
vdev=$(basename "$(readlink /sys/block/vda/device)")
check "the first write succeeds" vngio write /dev/vda 1m 4k 1
for i in $writers; do
	vu_bg w$i vngio expect EIO write /dev/vda $((i + 1))m 4k 1
done
# Every writer ends; wait for all of them, then judge each.
t0=$(vu_ms)
for i in $writers; do
	vu_wait w$i 90 || break
done
t1=$(vu_ms)
echo "# writers ended after $((t1 - t0)) ms"
for i in $writers; do
	if vu_wait w$i 1; then check_eq "write $i fails with EIO" "$VU_RC" 0
	else fail "write $i still waits"; fi
done
check "the ring was full" test "$(ng_stat vda ring_full)" -gt 0
check_eq "state dead" "$(ng_rec vda state)" dead
check "logged once" sh -c "[ \"\$(dmesg | grep -c 'device marked dead')\" = 1 ]"
check "unbind" sh -c "echo $vdev > /sys/bus/virtio/drivers/virtio_blk_ng/unbind"
check "/dev/vda is gone" test ! -e /sys/block/vda
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
