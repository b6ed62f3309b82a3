#!/bin/sh
# Stock virtio_blk against a read completed with an id out of range (ring
# size + 7), so that the request itself is never completed (vhost-user-bad
# "id=oor"). Records what the stock driver does: the virtio core logs
# "id 135 out of range" and marks the virtqueue broken; the read waits for
# good, every later request on that queue fails with EIO at once, the
# other queue keeps working, and the device is never reset.
# vng-vhost-user: --fault 'id=oor type=in sector=2048'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: grep -q "FAULT 1: .* IN sector 2048 +4096 hits rule 'id=oor" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
q0=$(vu_cpu_of_queue 0)
q1=$(vu_cpu_of_queue 1)
vu_bg r taskset -c "$q0" vu-io read /dev/vda $MiB 4096
if vu_wait r 5; then
	fail "stock: the read with a bad id ended ($VU_RC: $(cat /tmp/r.out))"
else
	ok "stock: the read with a bad id never completes"
fi
check "stock: the virtio core reports the id" \
	sh -c "dmesg | grep -q 'id 135 out of range'"
vu_bg r2 taskset -c "$q0" vu-io read /dev/vda $((2 * MiB)) 4096
if vu_wait r2 5; then
	check_eq "stock: the next read on queue 0 fails" "$VU_RC" 1
	check "stock: with EIO" grep -q 'EIO' /tmp/r2.out
else
	fail "stock: the next read on queue 0 hangs"
fi
check "stock: queue 1 still works" \
	taskset -c "$q1" vu-io read /dev/vda $((3 * MiB)) 4096
vng_done
