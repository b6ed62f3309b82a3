#!/bin/sh
# Stock virtio_blk against a lost interrupt (vhost-user-bad "noirq": the
# device completes a write but does not notify). Records what the stock
# driver does: the write waits, past the 30 s request timeout too (there
# is no timeout handler to look at the ring), until another request on
# the same queue brings an interrupt; then both complete.
# vng-vhost-user: --fault 'noirq type=out sector=2048'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=1
# vng-timeout: 200
# vng-post: grep -q "hits rule 'noirq" vhost0.log && grep -q 'completed without notifying the driver' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
vu_bg w vu-io write /dev/vda 1048576 4096 /tmp/rand
if vu_wait w 40; then fail "stock: the write without an interrupt ended ($VU_RC)"
else ok "stock: the write without an interrupt still waits after 40 s"; fi
check "stock: another write completes" vu-io write /dev/vda 4194304 4096 /tmp/rand
if vu_wait w 5; then check_eq "stock: and takes the first one with it" "$VU_RC" 0
else fail "stock: the first write still waits"; fi
check "stock: nothing about it in the kernel log" \
	sh -c "! dmesg | grep -i 'vda\|virtio' | grep -qi 'time\|interrupt\|reset'"
vng_done
