#!/bin/sh
# vhost-user-bad with no faults: the stock virtio_pci and virtio_blk drive
# a vhost-user-blk-pci disk served by selftests/vhost-user-bad on a raw
# file. O_DIRECT reads and writes (1 MiB and 4 KiB requests) on both
# queues with verification, the serial (GET_ID), FLUSH, DISCARD and
# WRITE_ZEROES, the last sector; the host then checks that the data is in
# the file and that the back-end saw every request type on both queues.
# vng-vhost-user: --file @DISK0@ --serial vu-basic-0001 --discard --write-zeroes
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 180
# vng-post: cmp <(yes vu-basic | head -c 1048576) <(dd if=@DISK0@ bs=1M skip=1 count=1 status=none) && grep -q 'stats: q0: ' vhost0.log && grep -q 'stats: q1: ' vhost0.log && grep -Eq 'stats: q[01]: .* flush [1-9]' vhost0.log && grep -Eq 'stats: q[01]: .* getid [1-9]' vhost0.log && grep -Eq 'stats: q[01]: .* discard [1-9]' vhost0.log && grep -Eq 'stats: q[01]: .* wz [1-9]' vhost0.log && ! grep -q 'FAULT' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check_eq "vda is 64 MiB" "$(cat /sys/block/vda/size)" 131072
check_eq "two hardware queues" "$(ls /sys/block/vda/mq | wc -l)" 2
check_eq "serial (GET_ID)" "$(cat /sys/block/vda/serial)" vu-basic-0001
check_eq "write cache (FLUSH offered)" \
	"$(cat /sys/block/vda/queue/write_cache)" "write back"
check_eq "discard offered" \
	"$(cat /sys/block/vda/queue/discard_max_hw_bytes)" $((32768 * 512))
check_eq "write zeroes offered" \
	"$(cat /sys/block/vda/queue/write_zeroes_max_bytes)" $((32768 * 512))

dd if=/dev/urandom of=/tmp/rand bs=1M count=4 2>/dev/null
for q in 0 1; do
	cpu=$(vu_cpu_of_queue $q)
	big=$(((8 + q * 8) * MiB)) small=$(((24 + q * 4) * MiB))
	check "q$q (cpu $cpu): write 4 MiB in one call" \
		taskset -c "$cpu" vu-io write /dev/vda $big $((4 * MiB)) /tmp/rand
	check "q$q: read it back" \
		taskset -c "$cpu" vu-io read /dev/vda $big $((4 * MiB)) /tmp/back
	check "q$q: data matches" cmp /tmp/rand /tmp/back
	check "q$q: write 1 MiB, 4 KiB at a time" \
		taskset -c "$cpu" vu-io -b 4096 write /dev/vda $small $MiB /tmp/rand
	check "q$q: read it back 4 KiB at a time" \
		taskset -c "$cpu" vu-io -b 4096 read /dev/vda $small $MiB /tmp/back
	check "q$q: data matches" cmp -n $MiB /tmp/rand /tmp/back
done
check "write 512 bytes" vu-io write /dev/vda $((40 * MiB + 512)) 512 /tmp/rand
check "read 512 bytes" vu-io read /dev/vda $((40 * MiB + 512)) 512 /tmp/back
check "512 bytes match" cmp -n 512 /tmp/rand /tmp/back

vu_pattern vu-basic $MiB >/tmp/pat
check "write a pattern at 1 MiB" vu-io write /dev/vda $MiB $MiB /tmp/pat
check "flush (fsync)" vu-io flush /dev/vda
check "read the pattern back" vu-io read /dev/vda $MiB $MiB /tmp/back
check "pattern matches" cmp /tmp/pat /tmp/back

head -c $MiB /dev/zero >/tmp/zero
check "fill 32-36 MiB" vu-io write /dev/vda $((32 * MiB)) $((4 * MiB)) /tmp/rand
check "discard 32-33 MiB" blkdiscard -o $((32 * MiB)) -l $MiB /dev/vda
check "read the discarded range" vu-io read /dev/vda $((32 * MiB)) $MiB /tmp/back
check "it reads as zeroes" cmp /tmp/zero /tmp/back
check "write zeroes at 34-35 MiB" vu-io zero /dev/vda $((34 * MiB)) $MiB
check "read the zeroed range" vu-io read /dev/vda $((34 * MiB)) $MiB /tmp/back
check "it reads as zeroes" cmp /tmp/zero /tmp/back
check "read the range between" vu-io read /dev/vda $((33 * MiB)) $MiB /tmp/back
check "it is intact" cmp -n $MiB /tmp/back /tmp/rand 0 $MiB

check "write the last 4 KiB" vu-io write /dev/vda $((64 * MiB - 4096)) 4096 /tmp/rand
check "read the last 4 KiB" vu-io read /dev/vda $((64 * MiB - 4096)) 4096 /tmp/back
check "last 4 KiB match" cmp -n 4096 /tmp/rand /tmp/back
vu-io read /dev/vda $((64 * MiB)) 4096 >/tmp/out
check "a read past the end gets nothing" grep -q 'read: 0 of 4096' /tmp/out
vng_done
