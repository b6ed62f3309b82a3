#!/bin/sh
# PCI bus mastering turned off and on again under I/O (the COMMAND
# register's bit 2, as blktests block/011 does to NVMe), on QEMU's own
# virtio-blk, over virtio_pci and virtio_pci_ng. QEMU disables the device
# and clears DRIVER_OK while bus mastering is off, yet keeps the buffers
# it was given. The function is still there: virtio_blk_ng must neither
# hang nor write it off (before, a status without DRIVER_OK read as "the
# device is gone": the I/O failed and the disk was marked dead). Its
# timeout resets the device (which drains what QEMU holds) and requeues;
# once bus mastering is back the I/O goes on and fio --verify=crc32c
# finds every block it wrote intact, with no I/O error.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,cache=none
# vng-qemu: -device virtio-blk-pci,drive=d0,num-queues=2,iommu_platform=on,disable-legacy=on,serial=bm
# vng-needs: fio dma-debug
# vng-timeout: 480
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh
. /vng/kst.sh

run_pair() {
	_p=$1 _pi=$2
	kst_load "$_p" || return
	_d=$(kst_disk bm) || { kst_unload; return; }
	_bdf=$(basename "$(readlink -f /sys/block/$_d/device/..)")
	# (Stock virtio_blk has no timeout handler, hence no io_timeout.)
	[ "$KST_BLK" = virtio_blk_ng ] &&
		check "$_p: io_timeout 3 s" sh -c "echo 3000 > /sys/block/$_d/queue/io_timeout"
	_cmd=$(pci_cmd_word "$_bdf")
	check "$_p: bus mastering on" test $((_cmd & 4)) -ne 0
	vu_bg fio$_pi fio --name=bm --filename=/dev/$_d --direct=1 \
		--ioengine=io_uring --rw=randwrite --bs=4k --iodepth=8 \
		--offset=$((_pi * 8))m --size=2m --loops=6 --verify=crc32c \
		--verify_fatal=1
	sleep 2
	pci_cmd_word "$_bdf" $((_cmd & ~4))
	check_eq "$_p: bus mastering off" $(($(pci_cmd_word "$_bdf") & 4)) 0
	sleep 4
	pci_cmd_word "$_bdf" "$_cmd"
	check_eq "$_p: bus mastering on again" "$(pci_cmd_word "$_bdf")" "$_cmd"
	if vu_wait fio$_pi 240; then
		check_eq "$_p: fio --verify=crc32c ends without an error" "$VU_RC" 0
	else
		fail "$_p: fio still runs 240 s after bus mastering returned"
	fi
	[ "$VU_RC" = 0 ] || sed 's/^/# /' /tmp/fio$_pi.out | tail -n 15
	check "$_p: the device timed out (bus mastering was off)" \
		test "$(ng_stat $_d timeouts)" -ge 1
	check "$_p: recovered by device resets" \
		test "$(ng_rec $_d dev_resets)" -ge 1
	check_eq "$_p: no request failed" "$(ng_stat $_d errors)" 0
	check_eq "$_p: live" "$(ng_rec $_d state)" live
	check "$_p: nothing failed by a give-up" \
		sh -c "! dmesg | grep -q 'device marked dead'"
	check "$_p: I/O after" vngio write /dev/$_d 40m 64k 5
	check "$_p: data after" vngio verify /dev/$_d 40m 64k 5
	kst_unload
}

run_pair virtio_pci:virtio_blk_ng 0
run_pair virtio_pci_ng:virtio_blk_ng 1
# (virtio uses the DMA API only with VIRTIO_F_ACCESS_PLATFORM: the device
# has iommu_platform=on.)
DMA=/sys/kernel/debug/dma-api
check "DMA API debugging tracked the disk's mappings" \
	test "$(cat $DMA/min_free_entries)" -lt "$(cat $DMA/nr_total_entries)"
check_eq "DMA API debugging found no error" "$(cat $DMA/error_count)" 0
vng_done
