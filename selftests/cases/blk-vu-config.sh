#!/bin/sh
# virtio_blk_ng against garbled config space, one vhost-user-bad device per
# garble: what is nonsense is clamped or ignored with a warning naming the
# field, or the device is refused with an error naming it. (vu-stock-config
# records what stock virtio_blk does with the first ones.)
# vng-vhost-user: --serial cap-zero --cfg capacity=0
# vng-vhost-user: --serial cap-huge --cfg capacity=0xffffffffffffffff
# vng-vhost-user: --serial blk-1000 --cfg blk_size=1000
# vng-vhost-user: --serial seg-zero --cfg seg_max=0
# vng-vhost-user: --serial size-512 --cfg size_max=512
# vng-vhost-user: --serial seg-huge --cfg seg_max=100000
# vng-vhost-user: --serial dwz --discard --cfg max_discard_sectors=0 --write-zeroes --cfg max_write_zeroes_seg=0
# vng-vhost-user: --serial odd-cap --cfg blk_size=4096 --cfg capacity=131071
# vng-qemu: -chardev socket,id=vu0,path=@VHOST0@ -device vhost-user-blk-pci,chardev=vu0,num-queues=1
# vng-qemu: -chardev socket,id=vu1,path=@VHOST1@ -device vhost-user-blk-pci,chardev=vu1,num-queues=1
# vng-qemu: -chardev socket,id=vu2,path=@VHOST2@ -device vhost-user-blk-pci,chardev=vu2,num-queues=1
# vng-qemu: -chardev socket,id=vu3,path=@VHOST3@ -device vhost-user-blk-pci,chardev=vu3,num-queues=1
# vng-qemu: -chardev socket,id=vu4,path=@VHOST4@ -device vhost-user-blk-pci,chardev=vu4,num-queues=1
# vng-qemu: -chardev socket,id=vu5,path=@VHOST5@ -device vhost-user-blk-pci,chardev=vu5,num-queues=1
# vng-qemu: -chardev socket,id=vu6,path=@VHOST6@ -device vhost-user-blk-pci,chardev=vu6,num-queues=1
# vng-qemu: -chardev socket,id=vu7,path=@VHOST7@ -device vhost-user-blk-pci,chardev=vu7,num-queues=1
# vng-timeout: 600
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

log_has() { dmesg | grep -q "$1"; }

vng_load virtio_pci virtio_blk_ng
sleep 3
for d in /sys/block/vd*; do
	echo "# $(basename $d): serial '$(cat $d/serial)' size $(cat $d/size) lbs $(cat $d/queue/logical_block_size) segs $(cat $d/queue/max_segments)"
done
dmesg | grep 'virtio_blk_ng' | sed 's/^/# /'
check_eq "six disks, two refused" "$(ls -d /sys/block/vd* | wc -l)" 6

d=$(vu_disk_by_serial cap-zero)
check_eq "capacity 0: an empty disk" "$(cat /sys/block/$d/size)" 0
d=$(vu_disk_by_serial cap-huge)
check_eq "capacity 2^64-1: clamped" "$(cat /sys/block/$d/size)" 18014398509481983
check "capacity 2^64-1: warned" log_has "capacity 18446744073709551615 is beyond what can be addressed"
check "blk_size 1000: refused" log_has "blk_size 1000 is not a power of two"
check_eq "blk_size 1000: no disk" "$(vu_disk_by_serial blk-1000)" ""
d=$(vu_disk_by_serial seg-zero)
check_eq "seg_max 0: one segment" "$(cat /sys/block/$d/queue/max_segments)" 1
check "seg_max 0: warned" log_has "seg_max is 0, using 1"
check "seg_max 0: I/O works" sh -c "vngio write /dev/$d 0 1m 1 && vngio verify /dev/$d 0 1m 1"
check "size_max 512: refused" log_has "size_max 512 / DMA limit"
check_eq "size_max 512: no disk" "$(vu_disk_by_serial size-512)" ""
d=$(vu_disk_by_serial seg-huge)
check_eq "seg_max 100000: clamped to the ring" "$(cat /sys/block/$d/queue/max_segments)" 126
check "seg_max 100000: warned" log_has "seg_max 100000 does not fit the ring of 128, using 126"
check "seg_max 100000: 4 MiB requests work" sh -c "vngio write /dev/$d 0 8m 2 && vngio verify /dev/$d 0 8m 2"
d=$(vu_disk_by_serial dwz)
check_eq "max_discard_sectors 0: no discard" "$(cat /sys/block/$d/queue/discard_max_hw_bytes)" 0
check "max_discard_sectors 0: warned" log_has "max_discard_sectors is 0, discard disabled"
check "max_write_zeroes_seg 0: warned" log_has "max_write_zeroes_seg is 0, sending one range per command"
check "write zeroes works" sh -c "vngio write /dev/$d 0 2m 3 && vngio zeroout /dev/$d 0 1m && vngio zero /dev/$d 0 1m && vngio verify /dev/$d 1m 1m 3"
check "sent as write zeroes" test "$(ng_op $d write_zeroes)" -gt 0
d=$(vu_disk_by_serial odd-cap)
check_eq "capacity rounded to 4 KiB blocks" "$(cat /sys/block/$d/size)" 131064
check "odd capacity: warned" log_has "capacity 131071 is not a multiple of the 4096-byte block, using 131064"
check "no rejected completion anywhere" ng_no_complaints
vng_done
