#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio-blk kselftests (queue limits, large and odd I/O, flush/FUA, discard
# and write-zeroes) on each driver pair (see /vng/kst.sh), the stock one
# included, on two disks:
#   a: 512-byte blocks, write-back cache, discard and write-zeroes limited to
#      1 MiB (so that big ones split), 128-entry ring (126 segments);
#   b: 4 KiB blocks, write-through cache, no discard, no write-zeroes.
# vng-qemu: -drive if=none,id=a,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-pci,drive=a,serial=kst-io-a,num-queues=2,queue-size=128,discard=on,write-zeroes=on,max-discard-sectors=2048,max-write-zeroes-sectors=2048
# vng-qemu: -drive if=none,id=b,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=b,serial=kst-io-b,num-queues=1,logical_block_size=4096,physical_block_size=4096,discard=off,write-zeroes=off,write-cache=off
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

# The stock pair is the reference the kselftests are checked against: the
# default run has it here; the other kst-* cases run it with KST_STOCK=1
# (scripts/test.sh --full).
KST_STOCK=1

for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	if a=$(kst_disk kst-io-a) && b=$(kst_disk kst-io-b); then
		kst_std_tests "$pair a" "$a" kst-io-a \
			vblk_limits vblk_io vblk_flush
		set -- VBLK_DISK="$b" VBLK_SERIAL=kst-io-b VBLK_RO=0 \
			VBLK_SIZE_BYTES=67108864 VBLK_LBS=4096 VBLK_PBS=4096 \
			VBLK_MAX_SEGMENTS=254 VBLK_DISCARD=0 VBLK_WRITE_ZEROES=0 \
			"VBLK_CACHE=write through"
		kst_run "$pair b" vblk_limits "$@"
		kst_run "$pair b" vblk_io "$@"
		kst_run "$pair b" vblk_flush "$@"
	else
		fail "$pair: disks kst-io-a and kst-io-b appear"
	fi
	kst_unload
done
vng_done
