#!/bin/sh
# virtio_blk_ng's request timeout handler against a device that loses an
# interrupt, drops a completion and delays one past the timeout
# (vhost-user-bad "noirq", "drop", "delay"). With a 3 s timeout each
# write must still succeed with its data intact: the lost interrupt is
# found by reaping the ring; the dropped and the late completion by a
# device reset (vhost-user offers no VIRTIO_F_RING_RESET) that requeues
# the request. The statistics count each step, the log names it, and
# the device is live at the end. (Stock virtio_blk waits for ever:
# vu-stock-drop, vu-stock-noirq.)
# vng-vhost-user: --fault 'noirq type=out sector=2048' --fault 'drop type=out sector=4096' --fault 'delay=10000 type=out sector=6144'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: grep -q "hits rule 'noirq" vhost0.log && grep -q "hits rule 'drop" vhost0.log && grep -q "hits rule 'delay=10000" vhost0.log && grep -q 'completed without notifying the driver' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "io_timeout is writable" sh -c 'echo 3000 > /sys/block/vda/queue/io_timeout'
check_eq "the driver sees the new timeout" "$(ng_rec vda timeout_ms)" 3000

# 1. A lost interrupt: found by reaping the ring at the timeout.
t0=$(vu_ms)
vu_bg w1 vngio write /dev/vda 1m 4k 1
if vu_wait w1 30; then check_eq "write without an interrupt succeeds" "$VU_RC" 0
else fail "write without an interrupt still waits after 30 s"; fi
t1=$(vu_ms)
check "it took the timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 2500
check_eq "one timeout" "$(ng_stat vda timeouts)" 1
check_eq "reaped, not reset" "$(ng_stat vda reaped)" 1
check_eq "no device reset for it" "$(ng_rec vda dev_resets)" 0
check "logged as a lost interrupt" sh -c "dmesg | grep -q 'request completed without an interrupt'"

# 2. A dropped completion: device reset, the write is requeued.
vu_bg w2 vngio write /dev/vda 2m 4k 2
if vu_wait w2 60; then check_eq "write whose completion was dropped succeeds" "$VU_RC" 0
else fail "dropped write still waits after 60 s"; fi
check_eq "two timeouts" "$(ng_stat vda timeouts)" 2
check_eq "one device reset" "$(ng_rec vda dev_resets)" 1
check "the write was requeued" sh -c "dmesg | grep -q 'requests requeued'"
check "the timeout was logged" sh -c "dmesg | grep -q 'write of 4096 bytes at sector 4096 timed out after 3000 ms (1 time); resetting the device'"
check "the reset was logged" sh -c "dmesg | grep -q 'device reset and running again'"

# 3. A completion 10 s late: the same, the late answer is never seen.
vu_bg w3 vngio write /dev/vda 3m 4k 3
if vu_wait w3 60; then check_eq "write completed late succeeds" "$VU_RC" 0
else fail "delayed write still waits after 60 s"; fi
check_eq "three timeouts" "$(ng_stat vda timeouts)" 3
check_eq "two device resets" "$(ng_rec vda dev_resets)" 2

check_eq "the device is live" "$(ng_rec vda state)" live
for s in 1 2 3; do
	check "data of write $s intact" vngio verify /dev/vda ${s}m 4k $s
done
io_on_queues() {
	for _q in 0 1; do
		_c=$(vu_cpu_of_queue $_q)
		taskset -c "$_c" vngio write /dev/vda 8m 1m 9 &&
			taskset -c "$_c" vngio verify /dev/vda 8m 1m 9 || return 1
	done
}
check "both queues work" io_on_queues
check_eq "no request failed" "$(ng_stat vda errors)" 0
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
vng_done
