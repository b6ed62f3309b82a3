#!/bin/sh
# Recovery of polled I/O (io_uring IOPOLL on a poll queue), where ->poll
# looks at the ring without the lock while recovery halts, resets and
# rebuilds it. vhost-user-bad drops the completion of one polled write
# and answers another with a used id out of range. The poller keeps
# spinning on the ring meanwhile. The dropped write times out and the
# device is reset; the bad id breaks the ring, which ->poll must see
# although its first look is made without the lock: the device is reset
# at once, not after a timeout. Every write is requeued onto the new
# ring and completes through ->poll with its data; the poll queue never
# takes an interrupt; KASAN and lockdep (the test kernel) see the
# lockless looks against the ring being deleted and created again.
# vng-vhost-user: --fault 'drop type=out sector=4096' --fault 'id=oor type=out sector=8192'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: grep -q "hits rule 'drop" vhost0.log && grep -q "hits rule 'id=oor" vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci_ng
check "modprobe poll_queues=1" modprobe virtio_blk_ng poll_queues=1
check "vda appears" vng_wait_for /dev/vda
check_eq "1 default + 1 poll queue" "$(ng_cfg vda nr_default) $(ng_cfg vda nr_poll)" "1 1"
check "io_timeout 3 s" sh -c 'echo 3000 > /sys/block/vda/queue/io_timeout'
p0=$(ng_stat vda polled)

# 1. A polled write whose completion never comes: timeout, device reset.
t0=$(vu_ms)
vu_bg w1 vngio uring /dev/vda 2m 64k 11 poll 4
if vu_wait w1 60; then check_eq "polled writes, one dropped, succeed and verify" "$VU_RC" 0
else fail "polled writes with a dropped completion still wait after 60 s"; fi
t1=$(vu_ms)
check "it took the timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 2500
check "one timeout or more" test "$(ng_stat vda timeouts)" -ge 1
check_eq "one device reset" "$(ng_rec vda dev_resets)" 1
check "the write was requeued" sh -c "dmesg | grep -q 'requests requeued'"
p1=$(ng_stat vda polled)
check "completions found by polling ($p0 -> $p1)" test "$p1" -gt "$p0"

# 2. A polled write answered with a bad used id: the ring is broken.
t0=$(vu_ms)
to=$(ng_stat vda timeouts)
vu_bg w2 vngio uring /dev/vda 4m 64k 12 poll 4
if vu_wait w2 60; then check_eq "polled writes, one answered with a bad id, succeed and verify" "$VU_RC" 0
else fail "polled writes with a bad used id still wait after 60 s"; fi
t1=$(vu_ms)
check "virtio_ring saw the bad id" sh -c "dmesg | grep -q 'out of range'"
check "->poll reset the device for it" sh -c "dmesg | grep -q 'the device broke a virtqueue; resetting the device'"
check_eq "two device resets" "$(ng_rec vda dev_resets)" 2
check_eq "no timeout was needed ($((t1 - t0)) ms)" "$(ng_stat vda timeouts)" "$to"
check "completions found by polling" test "$(ng_stat vda polled)" -gt "$p1"

check_eq "the device is live" "$(ng_rec vda state)" live
check_eq "poll queue took no interrupt" "$(awk '$2 == "poll"' $NGDBG/vda/stats | grep -o 'interrupts=[0-9]*')" interrupts=0
check "data of both runs intact" sh -c 'vngio verify /dev/vda 2m 64k 11 && vngio verify /dev/vda 4m 64k 12'
check "I/O with interrupts works" sh -c 'vngio write /dev/vda 8m 1m 5 && vngio verify /dev/vda 8m 1m 5'
check "vda clean" ng_clean vda
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
vng_done
