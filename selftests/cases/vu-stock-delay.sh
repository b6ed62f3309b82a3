#!/bin/sh
# Stock virtio_blk against a device that completes one write 35 s late,
# past the 30 s block-layer request timeout (vhost-user-bad "delay").
# Records what the stock driver does: it has no timeout handler (no io_timeout
# attribute), so it just waits; the write succeeds when the completion
# comes, the data is there, nothing is logged.
# vng-vhost-user: --fault 'delay=35000 type=out sector=2048'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 150
# vng-post: grep -q "FAULT 1: .* OUT sector 2048 +4096 hits rule 'delay" vhost0.log && grep -q 'delayed completion now' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check "stock: no io_timeout attribute (no timeout handler)" \
	test ! -e /sys/block/vda/queue/io_timeout
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null

t0=$(vu_ms)
check "stock: the delayed write succeeds" vu-io write /dev/vda $MiB 4096 /tmp/rand
t1=$(vu_ms)
echo "# the write took $((t1 - t0)) ms"
check "stock: it waited for the completion (>= 34 s)" test $((t1 - t0)) -ge 34000
check "read it back" vu-io read /dev/vda $MiB 4096 /tmp/back
check "data matches" cmp /tmp/rand /tmp/back
check "stock: nothing about it in the kernel log" \
	sh -c "! dmesg | grep -i 'vda\|virtio' | grep -qi 'time\|abort\|reset'"
vng_done
