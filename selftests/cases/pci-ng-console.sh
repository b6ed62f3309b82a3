#!/bin/sh
# Stock virtio_console over virtio_pci_ng: multiport console with its
# control queues; bytes written to a virtserialport in the guest must land
# in the host file behind the port (checked on the host after the run).
# vng-qemu: -device virtio-serial-pci,addr=0x4
# vng-qemu: -chardev file,id=c0,path=@FILE0@ -device virtserialport,chardev=c0,name=vng.port0
# vng-post: grep -qx 'vng-pci-ng console line 3' @FILE0@ && [ "$(grep -c '^vng-pci-ng console line' @FILE0@)" -eq 3 ]
# vng-timeout: 240
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_console
bdf=0000:00:04.0
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
v=$(ng_vdev $bdf)
check_eq "virtio device ID 3 (console)" "$(cat /sys/bus/virtio/devices/$v/device)" 0x0003
# QEMU gives virtio-serial 2 MSI-X vectors for its 64 queues (31 ports):
# per-queue vectors cannot be had, the shared vector is the fallback.
check_eq "interrupt mode" "$(ng_mode $bdf)" msix-shared
check_eq "2 MSI-X vectors" "$(ng_nmsi $bdf)" 2
check_eq "MULTIPORT negotiated" "$(ng_feature "$v" 1)" 1

port=
_i=0
while [ -z "$port" ] && [ $_i -lt 100 ]; do
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = vng.port0 ] && port=$(basename "$p")
	done
	[ -n "$port" ] || sleep 0.1
	_i=$((_i + 1))
done
check "port vng.port0 announced over the control queue" test -n "$port"
check "/dev/$port appears" vng_wait_for "/dev/$port"
for i in 1 2 3; do
	check "write line $i" sh -c "echo 'vng-pci-ng console line $i' >/dev/$port"
done
vng_done
