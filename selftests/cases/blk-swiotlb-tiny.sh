#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A request the DMA layer can never map: every mapping bounces through a
# tiny swiotlb pool (swiotlb=128,force: 128 slabs of 2 KiB, 256 KiB in
# all; the kernel rounds it to 256 slabs, 512 KiB) and the device offers
# VIRTIO_F_ACCESS_PLATFORM, so a request of several MiB (writeback of
# large folios) never fits, even with nothing else in flight. virtqueue_add
# fails with -ENOMEM, which is a retry (memory others hold comes back);
# stock virtio_blk retries such a request for ever (a hung task,
# "swiotlb buffer is full" without end: Documentation/stock-findings.md).
# On ours, over virtio_pci and over virtio_pci_ng, with io_timeout 1 s
# (a request is failed after 4 io_timeouts of refusals, and writeback
# sends its requests one after the other): the write fails within 40 s,
# the driver says why, and 4 KiB I/O before and after works (the disk is
# live, nothing leaked from the pool: it is empty again afterwards).
# vng-kernel-args: swiotlb=128,force
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,serial=tlb-tiny,num-queues=1,iommu_platform=on,disable-legacy=on
# vng-timeout: 300
. /vng/lib.sh
. /vng/ng-lib.sh
. /vng/kst.sh

T=/sys/kernel/debug/swiotlb
echo "# swiotlb: $(cat $T/io_tlb_nslabs 2>/dev/null) slabs"
check "a pool of at most 512 KiB (256 slabs)" test "$(cat $T/io_tlb_nslabs)" -le 256

idx=0
for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	if ! d=$(kst_disk tlb-tiny); then
		fail "$pair: disk tlb-tiny appears"
		kst_unload
		continue
	fi
	off=$((idx * 8 + 6))m
	echo "# $pair: max_sectors_kb $(cat /sys/block/$d/queue/max_sectors_kb), max_segment_size $(cat /sys/block/$d/queue/max_segment_size)"
	check "$pair: io_timeout 1 s" \
		sh -c "echo 1000 > /sys/block/$d/queue/io_timeout"
	check "$pair: 4 KiB write and read back" \
		sh -c "vngio write /dev/$d $off 4k 3 && vngio verify /dev/$d $off 4k 3"
	check "$pair: requests of 1 MiB and more allowed by the queue limits" \
		test "$(cat /sys/block/$d/queue/max_sectors_kb)" -ge 1024
	dmesg -c >/dev/null
	t0=$(date +%s)
	# Through the page cache: its large folios make segments of up to
	# max_segment_size, so writeback builds requests of several MiB (an
	# O_DIRECT write of scattered pages would be split at max_segments
	# pages, small enough for the pool). (Without a bound the fsync would
	# wait for ever: timeout ends it.)
	timeout 90 dd if=/dev/zero of=/dev/$d bs=1M count=4 seek=$((idx * 8)) \
		conv=fsync >/tmp/tiny.out 2>&1
	rc=$? dt=$(($(date +%s) - t0))
	echo "# $pair: 4 MiB write + fsync: exit $rc after $dt s: $(tr '\n' ' ' </tmp/tiny.out | head -c 200)"
	check "$pair: the write fails, it does not hang" \
		test $rc -ne 0 -a $rc -ne 124
	check "$pair: ... within 40 s ($dt s)" test $dt -le 40
	check "$pair: the driver says why" \
		sh -c "dmesg | grep -q 'could not be mapped'"
	check "$pair: 4 KiB I/O still works" \
		sh -c "vngio write /dev/$d $off 4k 5 && vngio verify /dev/$d $off 4k 5"
	check_eq "$pair: live" "$(ng_rec "$d" state)" live
	check_eq "$pair: the pool is empty again" "$(cat $T/io_tlb_used)" 0
	kst_unload
	idx=$((idx + 1))
done
vng_done
