#!/bin/sh
# Ring variants: packed ring, no EVENT_IDX, and a small ring without
# indirect descriptors, where seg_max must be clamped to the ring and
# queue_depth to half of it; large requests are split to fit.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,packed=on
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,event_idx=off
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,indirect_desc=off,queue-size=16,num-queues=1
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "three disks" vng_wait_for /sys/block/vdc
# features: bit 28 indirect, 29 event idx, 34 packed (character n + 1)
check_eq "vda packed ring" "$(cut -c35 /sys/block/vda/device/features)" 1
check_eq "vdb no event idx" "$(cut -c30 /sys/block/vdb/device/features)" 0
check_eq "vdc no indirect" "$(cut -c29 /sys/block/vdc/device/features)" 0
check_eq "vdc max_segments = ring - 2" "$(cat /sys/block/vdc/queue/max_segments)" 14
check_eq "vdc tags = ring / 2" "$(cat /sys/block/vdc/mq/0/nr_tags)" 8

for d in a:61 b:62 c:63; do
	disk=vd${d%:*} seed=${d#*:}
	check "$disk: write 8 MiB" vngio write /dev/$disk 0 8m $seed
	check "$disk: verify" vngio verify /dev/$disk 0 8m $seed
	check "$disk: io_uring QD32" vngio uring /dev/$disk 16m 4m $seed nopoll 32
	check "$disk: zeroout" sh -c "vngio zeroout /dev/$disk 1m 1m && vngio zero /dev/$disk 1m 1m"
	check "$disk: clean" ng_clean $disk
done
check "vdb: kicks counted" test "$(ng_stat vdb kicks)" -gt 0
check "no complaints in the log" ng_no_complaints
vng_done
