#!/bin/sh
# Unbind and rebind a virtio-blk and a virtio-net function from
# virtio-pci-ng 6 times, 10 with --full (vng.cycles=N on the kernel command
# line: N), with
# I/O on every bind, then ask kmemleak: no object of the transport (or
# anything else) may have leaked, and every interrupt of the old virtio
# devices must be gone after each unbind.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2
# vng-qemu: -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,addr=0x5
# vng-timeout: 900
# vng-needs: kmemleak
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

cycles=$(sed -n 's/.*vng\.cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -z "$cycles" ]; then
	cycles=6
	grep -qw vng.full=1 /proc/cmdline && cycles=10
fi
blk=0000:00:04.0 net=0000:00:05.0
drv=/sys/bus/pci/drivers/virtio-pci-ng

vng_load virtio_pci_ng virtio_blk virtio_net
check "kmemleak is available" test -w $KMEMLEAK
check_eq "blk bound to virtio-pci-ng" "$(ng_drv $blk)" virtio-pci-ng
check_eq "net bound to virtio-pci-ng" "$(ng_drv $net)" virtio-pci-ng
check "first disk I/O" ng_io "$(ng_child $blk block)"

# Report, then forget, whatever boot left behind (objects younger than
# 5 s are not reported yet, hence the wait).
sleep 5
echo scan >$KMEMLEAK
echo clear >$KMEMLEAK

bad_unbind='' bad_bind='' bad_io='' bad_irq=''
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	vb=$(ng_vdev $blk) vn=$(ng_vdev $net)
	# From a child that exits: the probe and the removal leave pointers on
	# the writer's kernel stack, and kmemleak scans this shell's.
	sh -c "echo $blk >$drv/unbind && echo $net >$drv/unbind" || bad_unbind="$bad_unbind $i"
	[ -z "$(ng_drv $blk)$(ng_drv $net)" ] || bad_unbind="$bad_unbind $i"
	# No interrupt of the old virtio devices may stay requested.
	if grep -qE " ($vb|$vn)-" /proc/interrupts || [ "$(ng_nmsi $blk)$(ng_nmsi $net)" != 00 ]; then
		bad_irq="$bad_irq $i"
	fi
	sh -c "echo $blk >$drv/bind && echo $net >$drv/bind" || bad_bind="$bad_bind $i"
	[ "$(ng_drv $blk)/$(ng_drv $net)" = virtio-pci-ng/virtio-pci-ng ] || bad_bind="$bad_bind $i"
	disk=$(ng_child $blk block)
	vng_wait_for "/dev/$disk" 10 &&
		dd if="/dev/$disk" of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null ||
		bad_io="$bad_io $i"
done
check_eq "$cycles unbinds" "$bad_unbind" ""
check_eq "interrupts freed on every unbind" "$bad_irq" ""
check_eq "$cycles binds" "$bad_bind" ""
check_eq "disk I/O after every bind" "$bad_io" ""
check "I/O after the loop" ng_io "$(ng_child $blk block)"

ng_kmemleak_check

# Finally the whole module goes, with its devices.
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
check "no driver left on blk" test -z "$(ng_drv $blk)"
check "no virtio device left" sh -c '[ -z "$(ls /sys/bus/virtio/devices)" ]'
vng_done
