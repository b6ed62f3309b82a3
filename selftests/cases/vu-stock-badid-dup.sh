#!/bin/sh
# Stock virtio_blk against a read completed twice: two used entries with
# its id (vhost-user-bad "id=dup"). Records what the stock driver does:
# the read succeeds, then the virtio core logs "is not a head" for the
# second entry and marks the virtqueue broken; every later request on that
# queue fails with EIO at once, the other queue keeps working, and the
# device is never reset.
# vng-vhost-user: --fault 'id=dup type=in sector=2048'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: grep -q "FAULT 1: .* IN sector 2048 +4096 hits rule 'id=dup" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
q0=$(vu_cpu_of_queue 0)
q1=$(vu_cpu_of_queue 1)
check "stock: the read completed twice succeeds" \
	taskset -c "$q0" vu-io read /dev/vda $MiB 4096
check "stock: the virtio core reports the second id" \
	sh -c "dmesg | grep -q 'is not a head'"
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
