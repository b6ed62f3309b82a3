#!/bin/sh
# Stock virtio_blk against a device that stops answering at the second
# write (vhost-user-bad "stall": from that request on nothing is completed
# and the rings are no longer read). Records what the stock driver does:
# the first write succeeds; the second write and every later request, on
# either queue, wait for good, with nothing logged.
# vng-vhost-user: --fault 'stall type=out nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: grep -q "FAULT 1: .* OUT sector 4096 +4096 hits rule 'stall" vhost0.log && grep -q 'device stalls' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
q0=$(vu_cpu_of_queue 0)
q1=$(vu_cpu_of_queue 1)
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
check "the first write succeeds" \
	taskset -c "$q0" vu-io write /dev/vda $MiB 4096 /tmp/rand
vu_bg w taskset -c "$q0" vu-io write /dev/vda $((2 * MiB)) 4096 /tmp/rand
if vu_wait w 5; then
	fail "stock: the second write ended (status $VU_RC: $(cat /tmp/w.out))"
else
	ok "stock: the second write never completes"
fi
vu_bg r taskset -c "$q1" vu-io read /dev/vda $((3 * MiB)) 4096
if vu_wait r 3; then
	fail "stock: a read on the other queue ended ($VU_RC: $(cat /tmp/r.out))"
else
	ok "stock: a read on the other queue never completes either"
fi
check_eq "stock: both wait in flight" "$(vu_inflight)" "1 1"
check "stock: nothing about it in the kernel log" \
	sh -c "! dmesg | grep -i 'vda\|virtio' | grep -qi 'time\|abort\|reset'"
vng_done
