#!/bin/sh
# Stock virtio_rng over virtio_pci_ng: /dev/hwrng delivers entropy from
# the device's one virtqueue, on its own MSI-X vector.
# vng-qemu: -object rng-builtin,id=r0 -device virtio-rng-pci,rng=r0,addr=0x4
# vng-timeout: 240
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_rng
bdf=0000:00:04.0
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
v=$(ng_vdev $bdf)
check_eq "virtio device ID 4 (entropy)" "$(cat /sys/bus/virtio/devices/$v/device)" 0x0004
check_eq "interrupt mode" "$(ng_mode $bdf)" msix-per-vq
check_eq "interrupts requested" "$(ng_irq_names "$v")" "config input "
check "/dev/hwrng appears" vng_wait_for /dev/hwrng
check "hw_random uses it" grep -q virtio_rng /sys/class/misc/hw_random/rng_current
before=$(ng_irq_sum " $v-input")
check "read 4 KiB from /dev/hwrng" dd if=/dev/hwrng of=/tmp/rnd bs=64 count=64 iflag=fullblock
check_eq "got 4 KiB" "$(wc -c </tmp/rnd)" 4096
check "not all zero" sh -c "od -An -tx1 /tmp/rnd | grep -q '[1-9a-f]'"
after=$(ng_irq_sum " $v-input")
check "queue vector fired ($before -> $after)" test "$after" -gt "$before"
vng_done
