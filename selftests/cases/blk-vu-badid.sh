#!/bin/sh
# virtio_blk_ng against used ids the device must not write (vhost-user-bad
# "id"): an id out of range, and a request completed twice. virtio_ring
# marks the ring broken; the driver resets the device at once (no
# timeout needed, nor a later request: the duplicate comes in the
# interrupt that completes the read), requeues what was in flight, and
# both reads, and the next one on the same queue, return the right data.
# (Stock virtio_blk: the read hangs and the queue fails every later
# request with EIO until reboot, vu-stock-badid-*.)
# vng-vhost-user: --fault 'id=oor type=in sector=2048' --fault 'id=dup type=in sector=4096'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: grep -q "hits rule 'id=oor" vhost0.log && grep -q "hits rule 'id=dup" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
# Long enough that a timeout cannot be what rescues the reads.
check "io_timeout 20 s" sh -c 'echo 20000 > /sys/block/vda/queue/io_timeout'
q0=$(vu_cpu_of_queue 0)
check "write the data" sh -c "taskset -c $q0 vngio write /dev/vda 1m 4k 1 && taskset -c $q0 vngio write /dev/vda 2m 4k 2"

vu_bg r1 taskset -c $q0 vngio verify /dev/vda 1m 4k 1
if vu_wait r1 15; then check_eq "read answered with an id out of range returns the data" "$VU_RC" 0
else fail "read answered with an id out of range still waits after 15 s"; fi
check "virtio_ring saw the bad id" sh -c "dmesg | grep -q 'out of range'"
check "the driver reset the device for it" sh -c "dmesg | grep -q 'the device broke a virtqueue; resetting the device'"
check_eq "one device reset" "$(ng_rec vda dev_resets)" 1
check_eq "no timeout was needed" "$(ng_stat vda timeouts)" 0

vu_bg r2 taskset -c $q0 vngio verify /dev/vda 2m 4k 2
if vu_wait r2 15; then check_eq "read completed twice returns the data" "$VU_RC" 0
else fail "read completed twice still waits after 15 s"; fi
# Both used entries came in one interrupt, the good one first: the ring
# must be seen broken there, not only when the next request is refused.
wait_out 2 5 ng_rec vda dev_resets
check_eq "reset for the duplicate before any further request" "$(ng_rec vda dev_resets)" 2
vu_bg r3 taskset -c $q0 vngio verify /dev/vda 1m 4k 1
if vu_wait r3 15; then check_eq "the next read on that queue returns the data" "$VU_RC" 0
else fail "the next read on that queue still waits after 15 s"; fi
check "virtio_ring saw the duplicate" sh -c "dmesg | grep -q 'is not a head'"
check_eq "two device resets" "$(ng_rec vda dev_resets)" 2
check_eq "still no timeout" "$(ng_stat vda timeouts)" 0
check_eq "the device is live" "$(ng_rec vda state)" live
check_eq "no request failed" "$(ng_stat vda errors)" 0
check "I/O works" sh -c 'vngio write /dev/vda 8m 1m 5 && vngio verify /dev/vda 8m 1m 5'
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
