#!/bin/sh
# Stock virtio_blk against a device that never completes one write
# (vhost-user-bad "drop"). Records what the stock driver does: the write
# waits for good (virtio_blk has no timeout handler: blk-mq only re-arms
# its timer and shows no io_timeout attribute; vu-stock-delay shows a
# request outliving the 30 s timeout), nothing is logged, and other I/O on
# both queues still completes.
# vng-vhost-user: --fault 'drop type=out sector=2048'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: grep -q "FAULT 1: .* OUT sector 2048 +4096 hits rule 'drop" vhost0.log && grep -q 'dropped: never completed' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check "stock: no io_timeout attribute (no timeout handler)" \
	test ! -e /sys/block/vda/queue/io_timeout
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null

vu_bg w vu-io write /dev/vda $MiB 4096 /tmp/rand
if vu_wait w 5; then
	fail "stock: the dropped write ended (status $VU_RC: $(cat /tmp/w.out))"
else
	ok "stock: the dropped write still waits after 5 s"
fi
check_eq "stock: one write in flight" "$(vu_inflight)" "0 1"
for q in 0 1; do
	check "q$q: other reads still complete" taskset -c "$(vu_cpu_of_queue $q)" \
		vu-io read /dev/vda $((4 * MiB)) 65536
	check "q$q: other writes still complete" taskset -c "$(vu_cpu_of_queue $q)" \
		vu-io write /dev/vda $(((8 + q) * MiB)) 4096 /tmp/rand
done
check "stock: nothing about it in the kernel log" \
	sh -c "! dmesg | grep -i 'vda\|virtio' | grep -qi 'time\|abort\|reset'"
if vu_wait w 1; then
	fail "stock: the dropped write ended late (status $VU_RC)"
else
	ok "stock: the dropped write still waits at the end"
fi
vng_done
