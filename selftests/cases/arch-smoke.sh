#!/bin/sh
# Another architecture's guest (VNG_ARCH=arm64 VNG_OUT=cross-arm64
# selftests/run.sh arch-smoke, after scripts/build-arch.sh): QEMU's
# virtio-blk-pci on the virt machine's PCIe host, MSI-X through the
# GICv3 ITS, and a second disk without MSI-X (INTx). In one boot the stock
# pair, then virtio_pci_ng + virtio_blk_ng: each disk binds to the pair,
# its capacity (read from the little-endian device configuration) is the
# image's, its interrupt mode is the one the device allows, and data
# written by the stock pair reads back through ours and the other way
# round. No kselftests yet (not cross-built), no fio.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=arch-msix,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=arch-intx,vectors=0
# vng-timeout: 300
. /vng/lib.sh
. /vng/ng-lib.sh
. /vng/pci-ng-lib.sh
. /vng/kst.sh

echo "# $(uname -m), $(nproc) CPUs"
seed=1
for pair in virtio_pci:virtio_blk virtio_pci_ng:virtio_blk_ng; do
	kst_load $pair || continue
	for ser in arch-msix arch-intx; do
		d=$(kst_disk $ser) || { fail "$pair $ser: the disk appears"; continue; }
		check_eq "$pair $ser: bound to $KST_BLK" "$(drv_of "$d")" "$KST_BLK"
		check_eq "$pair $ser: 64 MiB" "$(cat /sys/block/$d/size)" 131072
		if [ "$KST_TRANSPORT" = virtio_pci_ng ]; then
			bdf=$(basename "$(readlink -f /sys/block/$d/device/..)")
			want=msix-per-vq
			[ $ser = arch-intx ] && want=intx
			check_eq "$pair $ser: interrupt mode" "$(ng_mode "$bdf")" $want
			check "$pair $ser: the other pair's data" \
				vngio verify /dev/$d 1m 1m $((seed - 1))
		fi
		check "$pair $ser: write" vngio write /dev/$d 1m 1m $seed
		check "$pair $ser: read back" vngio verify /dev/$d 1m 1m $seed
		check "$pair $ser: O_DIRECT 64 KiB writes" vngio write /dev/$d 4m 512k $((seed + 10))
		check "$pair $ser: ... read back" vngio verify /dev/$d 4m 512k $((seed + 10))
	done
	# (The per-CPU columns only: the chip's hardware IRQ number follows.)
	n=$(grep -E 'virtio[0-9]+-req' /proc/interrupts |
		awk -v c="$(nproc)" '{ for (i = 2; i <= c + 1; i++) s += $i } END { print s + 0 }')
	check "$pair: the queues' MSI-X vectors interrupted ($n)" test "$n" -gt 0
	[ "$KST_BLK" = virtio_blk_ng ] && d=$(kst_disk arch-msix) &&
		check_eq "$pair: live" "$(ng_rec "$d" state)" live
	kst_unload
	seed=$((seed + 1))
done
vng_done
