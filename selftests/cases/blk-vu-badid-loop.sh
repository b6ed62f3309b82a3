#!/bin/sh
# A device that breaks its ring again on every retry: each read of one
# sector is answered with a used id out of range (vhost-user-bad "id=oor",
# every time). virtio_blk_ng resets the device at once each time the ring
# breaks and requeues the read with a fresh deadline, so no timeout would
# ever end the loop; after VBLK_NG_MAX_RECOVERIES (3) resets in a row,
# each within a request timeout of the one before, it gives up: the read
# fails with EIO and the disk is marked dead, in seconds. (Before, the
# driver reset the device for ever and the read never ended.)
# vng-vhost-user: --fault 'id=oor type=in sector=8192 count=all'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 300
# vng-post: grep -q "hits rule 'id=oor" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "a read elsewhere works" vngio write /dev/vda 1m 4k 1
t0=$(vu_ms)
vu_bg r vngio expect EIO verify /dev/vda 4m 4k 2
if vu_wait r 60; then
	check_eq "the read of the poisoned sector fails with EIO" "$VU_RC" 0
else
	fail "the read of the poisoned sector still waits after 60 s"
fi
t1=$(vu_ms)
echo "# the read ended after $((t1 - t0)) ms"
check_eq "three device resets, then given up" "$(ng_rec vda dev_resets)" 3
check_eq "dead" "$(ng_rec vda state)" dead
check "logged" sh -c "dmesg | grep -q 'the device keeps breaking its virtqueues; device marked dead'"
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
