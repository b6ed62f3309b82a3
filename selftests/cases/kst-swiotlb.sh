#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bounce buffers, as a confidential guest (SEV, TDX) uses them: every DMA
# mapping goes through swiotlb (swiotlb=force) and the devices offer
# VIRTIO_F_ACCESS_PLATFORM (iommu_platform=on), so virtio maps every
# buffer with the DMA API and the device sees only the bounce copies. The
# kselftests run on every driver pair (stock included) and fio verifies
# its data through the bounce buffers; DMA API debugging checks every
# mapping and must report nothing, and swiotlb must have been used.
# vng-kernel-args: swiotlb=force,track_hiwater
# vng-needs: dma-debug fio
# vng-qemu: -drive if=none,id=a,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-pci,drive=a,serial=kst-tlb-a,num-queues=2,queue-size=128,discard=on,write-zeroes=on,max-discard-sectors=2048,max-write-zeroes-sectors=2048,iommu_platform=on,disable-legacy=on
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

KST_STOCK=1
T=/sys/kernel/debug/swiotlb
check "swiotlb forced" grep -q "swiotlb=force" /proc/cmdline

for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	if a=$(kst_disk kst-tlb-a); then
		set -- VBLK_DISK="$a" VBLK_SERIAL=kst-tlb-a VBLK_RO=0 \
			VBLK_SIZE_BYTES=67108864 VBLK_LBS=512 VBLK_PBS=512 \
			VBLK_QUEUE_SIZE=128 VBLK_MAX_SEGMENTS=126 \
			VBLK_DISCARD=1 VBLK_DISCARD_MAX_BYTES=1048576 \
			VBLK_WRITE_ZEROES=1 VBLK_WRITE_ZEROES_MAX_BYTES=1048576 \
			"VBLK_CACHE=write back"
		kst_run "$pair" vblk_io "$@"
		kst_run "$pair" vblk_flush "$@"
		check "$pair: fio --verify=crc32c through bounce buffers" \
			fio --name=tlb --filename=/dev/$a --direct=1 \
			--ioengine=io_uring --rw=randwrite --bs=4k-256k \
			--iodepth=16 --size=16m --verify=crc32c --verify_fatal=1 \
			--output=/dev/null
	else
		fail "$pair: disk kst-tlb-a appears"
	fi
	kst_unload
done
if [ -r $T/io_tlb_used_hiwater ]; then
	check "bounce buffers were used ($(cat $T/io_tlb_used_hiwater) slabs at most)" \
		test "$(cat $T/io_tlb_used_hiwater)" -gt 0
else
	skip "bounce buffers were used" "no $T/io_tlb_used_hiwater"
fi
DMA=/sys/kernel/debug/dma-api
check "DMA API debugging tracked the disk's mappings" \
	test "$(cat $DMA/min_free_entries)" -lt "$(cat $DMA/nr_total_entries)"
check_eq "DMA API debugging found no error" "$(cat $DMA/error_count)" 0
vng_done
