#!/bin/sh
# Stock virtio_blk over virtio_pci_ng. The pc machine's default
# virtio-blk-pci is transitional (device ID 0x1001) with the virtio 1.x
# capabilities: virtio-pci-ng binds it and gives it one MSI-X vector per
# queue plus one for config changes. A second, legacy-only function (no
# virtio 1.x capabilities) must be left alone.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,addr=0x4,num-queues=2,serial=vng-pci-ng
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,addr=0x5,disable-modern=on
# vng-timeout: 300
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh
bdf=0000:00:04.0
legacy=0000:00:05.0

vng_load virtio_pci_ng virtio_blk
check_eq "transitional virtio-blk at $bdf" "$(cat /sys/bus/pci/devices/$bdf/device)" 0x1001
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
v=$(ng_vdev $bdf)
check "a virtio device registered" test -n "$v"
check_eq "virtio device ID 2 (block)" "$(cat /sys/bus/virtio/devices/$v/device)" 0x0002
check_eq "status ACK|DRIVER|FEATURES_OK|DRIVER_OK" \
	"$(cat /sys/bus/virtio/devices/$v/status)" 0x0000000f
check_eq "VIRTIO_F_VERSION_1 negotiated" "$(ng_feature "$v" 32)" 1
check_eq "legacy-only function left unbound" "$(ng_drv $legacy)" ""
check "no virtio device for it" test -z "$(ng_vdev $legacy)"

disk=$(ng_child $bdf block)
check_eq "its disk is vda" "$disk" vda
check "/dev/vda appears" vng_wait_for /dev/vda
check_eq "capacity read from device config" "$(cat /sys/block/vda/size)" 131072
check_eq "serial" "$(cat /sys/block/vda/serial)" vng-pci-ng
check_eq "2 blk-mq hardware queues" "$(ls /sys/block/vda/mq | wc -l)" 2

check_eq "interrupt mode" "$(ng_mode $bdf)" msix-per-vq
check_eq "interrupts requested" "$(ng_irq_names "$v")" "config req.0 req.1 "
check_eq "3 MSI-X vectors enabled" "$(ng_nmsi $bdf)" 3

before=$(ng_irq_sum " $v-req\.")
check "1 MiB O_DIRECT write, read back, compare" ng_io vda
check "4 MiB buffered write" dd if=/dev/urandom of=/tmp/big bs=1M count=4
check "write it at 8 MiB" dd if=/tmp/big of=/dev/vda bs=1M seek=8 count=4 conv=fsync
check "read it back" \
	sh -c 'dd if=/dev/vda bs=1M skip=8 count=4 2>/dev/null | cmp - /tmp/big'
# Queue I/O on both hardware queues, one per CPU.
check "O_DIRECT reads from CPU 0" taskset 1 dd if=/dev/vda of=/dev/null bs=4k count=256 iflag=direct
check "O_DIRECT reads from CPU 1" taskset 2 dd if=/dev/vda of=/dev/null bs=4k count=256 iflag=direct
after=$(ng_irq_sum " $v-req\.")
check "queue interrupts arrived on the per-queue vectors ($before -> $after)" \
	test "$after" -gt "$before"
fired=$(grep -E " $v-req\." /proc/interrupts |
	awk '{ s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; if (s) n++ }
	     END { print n + 0 }')
check_eq "both queue vectors fired" "$fired" 2
vng_done
