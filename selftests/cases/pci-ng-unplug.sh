#!/bin/sh
# Hot-unplug (QMP device_del, ACPI PCI hotplug) of a virtio-blk function
# driven by virtio_pci_ng while a reader is busy on it: the reader must
# end (with an error or not), the function must disappear and release
# its interrupts, and the other disk must keep working.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,id=gone
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,id=stays
# vng-needs: hotplug
# vng-timeout: 300
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_blk
gone=0000:00:04.0 stays=0000:00:05.0
check_eq "$gone: bound to virtio-pci-ng" "$(ng_drv $gone)" virtio-pci-ng
check_eq "$stays: bound to virtio-pci-ng" "$(ng_drv $stays)" virtio-pci-ng
dg=$(ng_child $gone block) ds=$(ng_child $stays block)
vg=$(ng_vdev $gone)
check "I/O on $dg before" ng_io "$dg"

# A reader that keeps the queue busy until the disk goes away.
(while dd if="/dev/$dg" of=/dev/null bs=64k count=1024 iflag=direct 2>/dev/null; do :; done) &
reader=$!
sleep 1
echo 'VNG-QMP: {"execute": "device_del", "arguments": {"id": "gone"}}'
_i=0
while [ -e /sys/bus/pci/devices/$gone ] && [ $_i -lt 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "$gone removed" test ! -e /sys/bus/pci/devices/$gone
_i=0
while kill -0 $reader 2>/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "the reader ended" sh -c "! kill -0 $reader 2>/dev/null"
kill $reader 2>/dev/null
check "/dev/$dg is gone" test ! -e "/dev/$dg"
check "$vg's interrupts are freed" sh -c "! grep -q ' $vg-' /proc/interrupts"
check "I/O on $ds still works" ng_io "$ds"
check "rmmod virtio_blk" rmmod virtio_blk
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
