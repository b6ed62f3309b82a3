#!/bin/sh
# Stock virtio_blk, hot-unplug (QMP device_del) of a disk whose device has
# stopped answering (vhost-user-bad "stall") while a write is in flight:
# records what the stock driver does. del_gendisk() waits for the write,
# which never completes: the function never goes away and the write never
# ends (checked for 20 s; the hung-task detector would report it after
# 60 s). The harness kills the guest once it has reported.
# vng-vhost-user: --fault 'stall type=out nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2,addr=0x4,id=gone
# vng-needs: hotplug
# vng-timeout: 300
# vng-kernel-args: acpi=noirq
# vng-post: grep -q "hits rule 'stall" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

bdf=0000:00:04.0
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
check "the first write succeeds" vu-io write /dev/vda 1048576 4096 /tmp/rand
vu_bg w vu-io write /dev/vda 2097152 4096 /tmp/rand
if vu_wait w 2; then fail "stock: the stalled write ended ($VU_RC)"
else ok "stock: the stalled write waits"; fi
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "gone"}}'
sleep 20
check "stock: the function is still there after 20 s (removal hangs)" test -e /sys/bus/pci/devices/$bdf
if vu_wait w 1; then fail "stock: the write ended ($VU_RC)"
else ok "stock: the write still waits"; fi
vng_done
