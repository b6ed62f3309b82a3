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
	kst_dma_cell "$pair" kst-tlb-a "bounce buffers"
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
