#!/bin/sh
# Hot-unplug (QMP device_del) of a virtio_blk_ng disk whose device has
# stopped answering (vhost-user-bad "stall") while a write is in flight.
# remove() lets a present device's requests run their course (a slow disk
# must not lose I/O to an unbind, see blk-host-stall): the write times out
# (io_timeout 8 s), and a timeout during removal gives up at once: the
# device is reset, the write ends with EIO, del_gendisk() returns, the
# function goes away and no task hangs.
# (Stock virtio_blk hangs in del_gendisk() for good: vu-stock-unplug.)
# vng-vhost-user: --fault 'stall type=out nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2,addr=0x4,id=gone
# vng-needs: hotplug
# vng-timeout: 300
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
# vng-post: grep -q "hits rule 'stall" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

bdf=0000:00:04.0
vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "io_timeout 8 s" sh -c 'echo 8000 > /sys/block/vda/queue/io_timeout'
check "the first write succeeds" vngio write /dev/vda 1m 4k 1
vu_bg w vngio expect EIO write /dev/vda 2m 4k 2
if vu_wait w 2; then fail "the stalled write ended early ()"
else ok "the stalled write waits"; fi
t0=$(vu_ms)
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "gone"}}'
_i=0
while [ -e /sys/bus/pci/devices/$bdf ] && [ $_i -lt 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
t1=$(vu_ms)
check "the function is removed ($((t1 - t0)) ms)" test ! -e /sys/bus/pci/devices/$bdf
check "within the request timeout and a margin" test $((t1 - t0)) -lt 20000
if vu_wait w 10; then check_eq "the in-flight write fails with EIO" "$VU_RC" 0
else fail "the in-flight write still waits"; fi
check "/dev/vda is gone" test ! -e /sys/block/vda
check "logged" sh -c "dmesg | grep -q 'the device is being removed; device marked dead, 1 requests failed'"
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
