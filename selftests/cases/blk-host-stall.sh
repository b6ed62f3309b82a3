#!/bin/sh
# The host's storage stalls while QEMU's own virtio-blk device still owns
# the guest's buffers: the common real fault behind a request timeout (a
# slow NFS/Ceph/LVM backend, an overloaded host). The disk is served by
# selftests/tools/nbd-stall.py, which holds chosen requests and performs
# them late, as such storage answers late.
#
# On ours over virtio_pci and over virtio_pci_ng (and stock virtio_blk,
# the reference, with --full), with io_timeout 3 s, once (the
# long run: VNG_TIMEOUT_SCALE=10 VNG_KARGS="vng.stallreps=20
# vng.stallpairs=virtio_pci:virtio_blk_ng,virtio_pci_ng:virtio_blk_ng"):
# - a read held 10 s returns the data written, and nothing is written into
#   its buffer after it returned and was reused;
# - a write held 10 s, then (once it returned) its buffer reused and a
#   second write to the same place: the second write's data is on disk
#   once the hold is over (a device that performed the held write after
#   the driver reported it done would leave the first data there);
# - ours over virtio_pci_ng (both transports with --full): a write held
#   15 s, longer than the whole recovery ladder (four timeouts of 3 s):
#   one device reset that lasts until the storage answers, no give-up, no
#   failed request, the newer write on disk;
# - fio --verify=crc32c across an 8 s stall of every request;
# - an unbind while a write is held 8 s, within io_timeout: the unbind
#   waits for it and the write succeeds (a slow disk loses no I/O).
# For ours the stall must have made requests time out, and the recovery
# must be a device reset (which QEMU completes only once its backend
# drained), never a virtqueue reset: QEMU offers VIRTIO_F_RING_RESET but
# its virtio-blk does not give back a reset queue's buffers. The kernel
# checks freed pages for late writes (page_poison=1) and every DMA mapping
# (DMA API debugging); any report fails the case.
# vng-nbd: 0
# vng-qemu: -drive if=none,id=d0,format=raw,cache=none,file.driver=nbd,file.server.type=unix,file.server.path=@NBD0@
# vng-qemu: -device virtio-blk-pci,drive=d0,num-queues=2,iommu_platform=on,disable-legacy=on,serial=stall
# vng-kernel-args: page_poison=1
# vng-needs: fio dma-debug
# vng-timeout: 600
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh
. /vng/kst.sh

HOLD=10
# A stall longer than four io_timeouts of 3 s (the whole ladder)
LONG=15
# Held read and write rounds per pair: vng.stallreps=N (the long run: 20;
# --full: 2; the default run: 1, 26 s of holds per round and pair).
FULL=0
grep -qw vng.full=1 /proc/cmdline && FULL=1
REPS=$(sed -n 's/.*vng\.stallreps=\([0-9]*\).*/\1/p' /proc/cmdline)
[ -z "$REPS" ] && [ $FULL = 1 ] && REPS=2
REPS=${REPS:-1}
# host CMD..: a command for the NBD server; give the host time to act.
host() {
	echo "VNG-HOST: nbd0 $*"
	sleep 1
}

# run_pair PAIR N: the three stalls on PAIR, on offsets of its own (N)
run_pair() {
	_p=$1 _base=$(($2 * 4))
	kst_load "$_p" || return
	_d=$(kst_disk stall) || { kst_unload; return; }
	# (Stock virtio_blk has no timeout handler, hence no io_timeout.)
	[ "$KST_BLK" = virtio_blk_ng ] &&
		check "$_p: io_timeout 3 s" sh -c "echo 3000 > /sys/block/$_d/queue/io_timeout"
	_roff=$((_base << 20)) _woff=$(((_base + 1) << 20))
	check "$_p: pattern written" vngio write /dev/$_d $_roff 4k 7

	_r=1
	while [ $_r -le $REPS ]; do
		host hold $_roff $HOLD read
		_t0=$(vu_ms)
		check "$_p: held read returns its data, buffer untouched afterwards ($_r)" \
			stallio read /dev/$_d $_roff 7 $((HOLD + 3))
		# The hold took effect (else the checks above prove nothing).
		check "$_p: the read was held ($_r)" \
			test $(($(vu_ms) - _t0)) -ge $(((HOLD - 2) * 1000))

		host hold $_woff $HOLD write
		_t0=$(vu_ms)
		check "$_p: held write, buffer reused, second write ($_r)" \
			stallio write /dev/$_d $_woff $((_r * 2 + 9)) $((_r * 2 + 10))
		# Stock and ours return the held write after the hold, the old
		# virtqueue reset after io_timeout: either way >= 3 s.
		check "$_p: the write was held ($_r)" \
			test $(($(vu_ms) - _t0)) -ge 3000
		# Past the end of the hold, whatever the driver did meanwhile.
		_left=$(((HOLD + 3) * 1000 - ($(vu_ms) - _t0)))
		[ $_left -gt 0 ] && sleep $((_left / 1000 + 1))
		check "$_p: the second write's data is on disk ($_r)" \
			vngio verify /dev/$_d $_woff 4k $((_r * 2 + 10))
		_r=$((_r + 1))
	done

	# A stall longer than the whole ladder (given up on after four
	# timeouts: 12 s at io_timeout 3 s), ours only: QEMU's reset waits
	# for the held request, so the first reset lasts until the storage
	# answers; the ladder is never exhausted, no request fails, and the
	# newer write wins. (Shorter than the guest's 20 s soft-lockup and
	# 21 s RCU stall limits: the vCPU that wrote the status register is
	# stopped meanwhile.)
	if [ "$KST_BLK" = virtio_blk_ng ] &&
		{ [ "$KST_TRANSPORT" = virtio_pci_ng ] || [ "$FULL" = 1 ]; }; then
		_loff=$((((_base + 3) << 20) + (512 << 10)))
		_dr=$(ng_rec $_d dev_resets)
		host hold $_loff $LONG write
		_t0=$(vu_ms)
		check "$_p: write held ${LONG} s (past the ladder), buffer reused, second write" \
			stallio write /dev/$_d $_loff 31 32
		_t1=$(vu_ms)
		check "$_p: the held write waited out the stall ($((_t1 - _t0)) ms)" \
			test $((_t1 - _t0)) -ge $(((LONG - 2) * 1000))
		check "$_p: one device reset covered the whole stall" \
			test "$(ng_rec $_d dev_resets)" -eq $((_dr + 1))
		check "$_p: the newer write is on disk after the long stall" \
			vngio verify /dev/$_d $_loff 4k 32
	fi

	_foff=$(((_base + 2) << 20))
	vu_bg fio$2 fio --name=stall --filename=/dev/$_d --direct=1 \
		--ioengine=io_uring --rw=randwrite --bs=4k --iodepth=16 \
		--offset=$_foff --size=1m --loops=8 --verify=crc32c \
		--verify_fatal=1
	sleep 2
	host stall 8
	if vu_wait fio$2 240; then
		check_eq "$_p: fio --verify=crc32c across an 8 s stall" "$VU_RC" 0
	else
		fail "$_p: fio still runs after 240 s"
	fi
	[ "$VU_RC" = 0 ] || sed 's/^/# /' /tmp/fio$2.out | tail -n 15

	if [ "$KST_BLK" = virtio_blk_ng ]; then
		check "$_p: the stalls made requests time out" \
			test "$(ng_stat $_d timeouts)" -ge $((REPS * 2))
		check_eq "$_p: no virtqueue reset" "$(ng_stat $_d vq_resets)" 0
		check "$_p: recovered by device resets" \
			test "$(ng_rec $_d dev_resets)" -ge 1
		check_eq "$_p: no request failed" "$(ng_stat $_d errors)" 0
		check_eq "$_p: live" "$(ng_rec $_d state)" live
		check "$_p: nothing failed by a give-up" \
			sh -c "! dmesg | grep -q 'device marked dead'"
	fi

	# An unbind while a write is held 8 s, within io_timeout (30 s): a
	# slow disk, not a dead one. The unbind waits for it; it succeeds.
	[ "$KST_BLK" = virtio_blk_ng ] &&
		check "$_p: io_timeout 30 s" sh -c "echo 30000 > /sys/block/$_d/queue/io_timeout"
	_bdf=$(basename "$(readlink -f /sys/block/$_d/device/..)")
	_uoff=$(((_base + 3) << 20))
	host hold $_uoff 8 write
	vu_bg uw$2 vngio write /dev/$_d $_uoff 4k 13
	sleep 2
	_t0=$(vu_ms)
	echo "$_bdf" > /sys/bus/pci/devices/$_bdf/driver/unbind
	_t1=$(vu_ms)
	if vu_wait uw$2 30; then
		check_eq "$_p: a write held across an unbind succeeds" "$VU_RC" 0
	else
		fail "$_p: a write held across an unbind still waits"
	fi
	check "$_p: the unbind waited for it ($((_t1 - _t0)) ms)" \
		test $((_t1 - _t0)) -ge 3000
	echo "$_bdf" > /sys/bus/pci/drivers_probe
	_d=$(kst_disk stall) &&
		check "$_p: its data is on disk after a rebind" \
			vngio verify /dev/$_d $_uoff 4k 13
	kst_unload
}

# The pairs: vng.stallpairs=A:B,C:D (the long run: ours only). Stock,
# the reference (stock-findings.md), runs with --full only.
PAIRS=$(sed -n 's/.*vng\.stallpairs=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
if [ -z "$PAIRS" ]; then
	PAIRS="virtio_pci:virtio_blk_ng virtio_pci_ng:virtio_blk_ng"
	[ "$FULL" = 1 ] && PAIRS="virtio_pci:virtio_blk $PAIRS"
fi
idx=0
for pair in $PAIRS; do
	run_pair $pair $idx
	idx=$((idx + 1))
done
check "no poisoned page was written (page_poison=1)" \
	sh -c "! dmesg | grep -q 'pagealloc: memory corruption'"
# (virtio uses the DMA API only with VIRTIO_F_ACCESS_PLATFORM: the device
# has iommu_platform=on.)
DMA=/sys/kernel/debug/dma-api
check "DMA API debugging tracked the disk's mappings" \
	test "$(cat $DMA/min_free_entries)" -lt "$(cat $DMA/nr_total_entries)"
check_eq "DMA API debugging found no error" "$(cat $DMA/error_count)" 0
vng_done
