#!/bin/sh
# The stock virtio_blk and virtio_blk_ng side by side. Stock names its
# disks from its own index space, so virtio_blk_ng skips every vdX name
# the block class already holds: here stock keeps vda, ours gets vdb and
# vdc, and each disk keeps its own data.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=disk0
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=disk1
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,serial=disk2
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

# vdev_of SERIAL: the virtio device whose disk has that serial
vdev_of() {
	for b in /sys/block/vd*; do
		[ "$(cat $b/serial)" = "$1" ] && basename "$(readlink $b/device)"
	done
}

vng_load virtio_pci virtio_blk
check "stock driver binds all three" vng_wait_for /sys/block/vdc
check_eq "vda is stock" "$(drv_of vda)" virtio_blk
v1=$(vdev_of disk1)
v2=$(vdev_of disk2)
check "hand disk1 back" sh -c "echo $v1 > /sys/bus/virtio/drivers/virtio_blk/unbind"
check "hand disk2 back" sh -c "echo $v2 > /sys/bus/virtio/drivers/virtio_blk/unbind"
check "only vda left" sh -c '[ "$(ls /sys/block | grep -c ^vd)" = 1 ]'

# Loading the driver binds the devices nobody has.
vng_load virtio_blk_ng
check "three disks again" vng_wait_for /sys/block/vdc
check_eq "vda still stock" "$(drv_of vda)" virtio_blk
check_eq "vda is disk0" "$(cat /sys/block/vda/serial)" disk0
check_eq "vdb is ours" "$(drv_of vdb)" virtio_blk_ng
check_eq "vdb is disk1" "$(cat /sys/block/vdb/serial)" disk1
check_eq "vdc is ours" "$(drv_of vdc)" virtio_blk_ng
check_eq "vdc is disk2" "$(cat /sys/block/vdc/serial)" disk2
check "different majors" sh -c '[ "$(cut -d: -f1 /sys/block/vda/dev)" != "$(cut -d: -f1 /sys/block/vdb/dev)" ]'
check "no duplicate name in the log" sh -c '! dmesg | grep -q "duplicate filename"'

ok_all=1
for d in a:1 b:2 c:3; do vngio write /dev/vd${d%:*} 0 4m ${d#*:} || ok_all=0; done
for d in a:1 b:2 c:3; do vngio verify /dev/vd${d%:*} 0 4m ${d#*:} || ok_all=0; done
check_eq "each disk keeps its data" $ok_all 1

check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "stock vda unaffected" vngio verify /dev/vda 0 4m 1
check "ours gone" sh -c '! test -e /sys/block/vdb -o -e /sys/block/vdc'
# Back to stock (the safe direction: stock does not check names, so it
# must not probe while virtio_blk_ng holds vdX names from its range).
check "stock takes disk1 back" sh -c "echo $v1 > /sys/bus/virtio/drivers/virtio_blk/bind"
check "as vdb" vng_wait_for /sys/block/vdb
check_eq "vdb is disk1 again" "$(cat /sys/block/vdb/serial)" disk1
check "with the data written through virtio_blk_ng" vngio verify /dev/vdb 0 4m 2
vng_unload virtio_blk
vng_done
