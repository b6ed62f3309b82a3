#!/bin/sh
# Hot-unplug through QMP device_del (an orderly ACPI eject): the disk goes
# away cleanly, idle and with I/O in flight.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,id=vd0
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,id=vd1
# vng-needs: hotplug
# vng-timeout: 420
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "two disks" vng_wait_for /sys/block/vdb
check "pattern on vdb" vngio write /dev/vdb 0 4m 81
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "vd0"}}'
check "idle vda unplugged" sh -c 'i=0; while [ -e /sys/block/vda ]; do i=$((i + 1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done'
check "vda debugfs gone" sh -c "! test -e $NGDBG/vda"
vngio write /dev/vdb 8m 32m 82 2>/dev/null &
sleep 1
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "vd1"}}'
check "busy vdb unplugged" sh -c 'i=0; while [ -e /sys/block/vdb ]; do i=$((i + 1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done'
wait
check "driver still unloads" rmmod virtio_blk_ng
vng_done
