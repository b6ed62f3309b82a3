#!/bin/sh
# Stock virtio_blk against wrong used lengths (vhost-user-bad "len"):
# reads completed with used len 0, half the real length, and longer than
# the buffers; a write completed with used len 0 (it should be 1). Records
# what the stock driver does: it ignores the used length, so every request
# succeeds (the data was transferred; only the length lies).
# vng-vhost-user: --fault 'len=zero type=in sector=2048' --fault 'len=short type=in sector=4096' --fault 'len=long type=in sector=6144' --fault 'len=zero type=out sector=8192'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: test "$(grep -c 'FAULT [0-9]*: .*hits rule .len=' vhost0.log)" = 4 && grep -q 'used len 0 instead of 4097' vhost0.log && grep -q 'used len 2048 instead of 4097' vhost0.log && grep -q 'used len 8193 instead of 4097' vhost0.log && grep -q 'used len 0 instead of 1 ' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
for s in 2048 4096 6144; do
	check "write sector $s" vu-io write /dev/vda $((s * 512)) 4096 /tmp/rand
done
for t in "2048 zero" "4096 short" "6144 long"; do
	set -- $t
	rm -f /tmp/back
	check "stock: read with used len $2 succeeds" \
		vu-io read /dev/vda $(($1 * 512)) 4096 /tmp/back
	check "stock: read with used len $2 returns the data" cmp /tmp/rand /tmp/back
done
check "stock: write with used len 0 succeeds" \
	vu-io write /dev/vda $((8192 * 512)) 4096 /tmp/rand
check "read it back" vu-io read /dev/vda $((8192 * 512)) 4096 /tmp/back
check "data matches" cmp /tmp/rand /tmp/back
check "stock: nothing about it in the kernel log" \
	sh -c "! dmesg | grep -i 'vda\|virtio' | grep -qi 'len\|error'"
vng_done
