#!/bin/sh
# Stock virtio_blk against garbled config space, one vhost-user-bad
# device per garble ("--cfg"): capacity 0, capacity 2^64-1 sectors (the
# back-end stores 64 MiB), blk_size 1000 (not a power of two), seg_max 0,
# num_queues 0. Records what the stock driver does with each: a disk of
# size 0; a disk the block layer truncates to 2^54-1 sectors, whose reads
# past the stored data fail; a failed probe (-EINVAL); one segment per
# request. num_queues never reaches the guest: QEMU's vhost-user-blk
# overrides it with its own num-queues.
# vng-vhost-user: --serial cap-zero --cfg capacity=0
# vng-vhost-user: --serial cap-huge --cfg capacity=0xffffffffffffffff
# vng-vhost-user: --serial blk-1000 --cfg blk_size=1000
# vng-vhost-user: --serial seg-zero --cfg seg_max=0
# vng-vhost-user: --serial nq-zero --cfg num_queues=0
# vng-qemu: -chardev socket,id=vu0,path=@VHOST0@ -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-qemu: -chardev socket,id=vu1,path=@VHOST1@ -device vhost-user-blk-pci,chardev=vu1,num-queues=2
# vng-qemu: -chardev socket,id=vu2,path=@VHOST2@ -device vhost-user-blk-pci,chardev=vu2,num-queues=2
# vng-qemu: -chardev socket,id=vu3,path=@VHOST3@ -device vhost-user-blk-pci,chardev=vu3,num-queues=2
# vng-qemu: -chardev socket,id=vu4,path=@VHOST4@ -device vhost-user-blk-pci,chardev=vu4,num-queues=2
# vng-timeout: 150
# vng-post: grep -q 'config: capacity = 0 ' vhost0.log && grep -q 'config: blk_size = 1000 ' vhost2.log && grep -q 'config: seg_max = 0 ' vhost3.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
for i in $(seq 50); do
	[ "$(ls -d /sys/block/vd* 2>/dev/null | wc -l)" -ge 4 ] && break
	sleep 0.1
done
for d in /sys/block/vd*; do
	echo "# $(basename $d): serial '$(cat $d/serial)' size $(cat $d/size)" \
		"lbs $(cat $d/queue/logical_block_size)" \
		"segs $(cat $d/queue/max_segments) queues $(ls $d/mq | wc -l)"
done
dmesg | grep 'virtio_blk\|vd[a-z]:' | sed 's/^/# /'
dd if=/dev/urandom of=/tmp/rand bs=64k count=1 2>/dev/null

d=$(vu_disk_by_serial cap-zero)
check "capacity 0: stock creates the disk" test -n "$d"
check_eq "capacity 0: of size 0" "$(cat /sys/block/$d/size)" 0
vu-io read /dev/$d 0 4096 >/tmp/out
check "capacity 0: a read gets nothing" grep -q 'read: 0 of 4096' /tmp/out

d=$(vu_disk_by_serial cap-huge)
check "capacity 2^64-1: stock creates the disk" test -n "$d"
check "capacity 2^64-1: the block layer truncates it" \
	sh -c "dmesg | grep -q '$d: truncate capacity from -1 to 18014398509481983'"
check_eq "capacity 2^64-1: to 2^54-1 sectors" \
	"$(cat /sys/block/$d/size)" 18014398509481983
check "capacity 2^64-1: a read inside the 64 MiB stored works" vu-io read /dev/$d 0 4096
vu-io read /dev/$d $((1024 * MiB)) 4096 >/tmp/out
check "capacity 2^64-1: a read at 1 GiB fails (the device says IOERR)" \
	grep -q EIO /tmp/out

check_eq "blk_size 1000: stock has no disk" "$(vu_disk_by_serial blk-1000)" ""
check "blk_size 1000: its probe failed with -EINVAL" \
	sh -c "dmesg | grep -q 'probe with driver virtio_blk failed with error -22'"

d=$(vu_disk_by_serial seg-zero)
check "seg_max 0: stock creates the disk" test -n "$d"
check_eq "seg_max 0: with one segment per request" \
	"$(cat /sys/block/$d/queue/max_segments)" 1
check "seg_max 0: a 64 KiB write works" vu-io write /dev/$d $MiB 65536 /tmp/rand
check "seg_max 0: a 64 KiB read works" vu-io read /dev/$d $MiB 65536 /tmp/back
check "seg_max 0: data matches" cmp /tmp/rand /tmp/back

d=$(vu_disk_by_serial nq-zero)
check "num_queues 0: stock creates the disk" test -n "$d"
check_eq "num_queues 0: QEMU replaced it, 2 queues" "$(ls /sys/block/$d/mq | wc -l)" 2
vng_done
