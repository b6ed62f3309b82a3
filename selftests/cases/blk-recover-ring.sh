#!/bin/sh
# virtio_blk_ng recovery on QEMU's own virtio-blk, over virtio_pci_ng:
# a completion the guest never sees (the block layer's fail_io_timeout
# fault injection drops it after the device answered). vda offers
# VIRTIO_F_RING_RESET (QEMU's default queue_reset=on), vdb does not
# (queue_reset=off). By default a timeout resets the device even where
# RING_RESET is offered: QEMU's virtio-blk does not give back a reset
# queue's buffers (blk-host-stall). With trust_vq_reset=1 the timeout on
# vda resets that virtqueue alone and requeues the write; vdb still gets a
# device reset. Either way the write succeeds with its data, nothing else
# is disturbed, and the other disk sees no recovery at all.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,cache=none
# vng-qemu: -device virtio-blk-pci,drive=d0,num-queues=2,serial=ringreset
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw,cache=none
# vng-qemu: -device virtio-blk-pci,drive=d1,num-queues=2,queue_reset=off,serial=noringreset
# vng-timeout: 420
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh
FI=/sys/kernel/debug/fail_io_timeout

vng_load virtio_pci_ng virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "vdb appears" vng_wait_for /dev/vdb
vring=$(vu_disk_by_serial ringreset)
vnone=$(vu_disk_by_serial noringreset)
check "both disks found by serial" test -n "$vring" -a -n "$vnone"
vdev=$(basename "$(readlink /sys/block/$vring/device)")
check_eq "$vring: VIRTIO_F_RING_RESET negotiated" "$(cut -c 41 /sys/bus/virtio/devices/$vdev/features)" 1
vdev=$(basename "$(readlink /sys/block/$vnone/device)")
check_eq "$vnone: VIRTIO_F_RING_RESET not offered" "$(cut -c 41 /sys/bus/virtio/devices/$vdev/features)" 0
check "fail_io_timeout present" test -d $FI
# One dropped completion, no stack dump (the harness fails on those).
echo 0 > $FI/verbose
echo 1 > $FI/interval

# io_on_queues DISK: 1 MiB written and verified from a CPU of each queue
io_on_queues() {
	for _q in 0 1; do
		_c=$(VNG_DISK=$1 vu_cpu_of_queue $_q)
		taskset -c "$_c" vngio write /dev/$1 8m 1m 7 &&
			taskset -c "$_c" vngio verify /dev/$1 8m 1m 7 || return 1
	done
}

# drop_one DISK SEED: the next completion on DISK is lost; write and wait.
drop_one() {
	echo 1 > /sys/block/$1/io-timeout-fail
	echo 100 > $FI/probability
	echo 1 > $FI/times
	vu_bg w$2 vngio write /dev/$1 ${2}m 4k $2
	if vu_wait w$2 60; then check_eq "$1: write with a lost completion succeeds" "$VU_RC" 0
	else fail "$1: write with a lost completion still waits after 60 s"; fi
	echo 0 > /sys/block/$1/io-timeout-fail
	echo 0 > $FI/probability
}

for d in $vring $vnone; do
	check "$d: io_timeout 2 s" sh -c "echo 2000 > /sys/block/$d/queue/io_timeout"
done

PARAM=/sys/module/virtio_blk_ng/parameters/trust_vq_reset
check_eq "trust_vq_reset is off by default" "$(cat $PARAM)" N

drop_one $vring 1
check_eq "$vring: one timeout" "$(ng_stat $vring timeouts)" 1
check_eq "$vring: RING_RESET not trusted: no virtqueue reset" "$(ng_stat $vring vq_resets)" 0
check_eq "$vring: one device reset" "$(ng_rec $vring dev_resets)" 1
check "$vring: logged" sh -c "dmesg | grep -q '$vring: vq [0-9]*: write of 4096 bytes at sector 2048 timed out after 2000 ms (1 time); resetting the device'"

echo 1 > $PARAM
drop_one $vring 3
check_eq "$vring: a second timeout" "$(ng_stat $vring timeouts)" 2
check_eq "$vring: nothing to reap (the completion was consumed)" "$(ng_stat $vring reaped)" 0
check_eq "$vring: trusted: one virtqueue reset" "$(ng_stat $vring vq_resets)" 1
check_eq "$vring: the write was requeued" "$(ng_stat $vring requeued)" 1
check_eq "$vring: no second device reset" "$(ng_rec $vring dev_resets)" 1
check "$vring: logged" sh -c "dmesg | grep -q '$vring: vq [0-9]*: write of 4096 bytes at sector 6144 timed out after 2000 ms (1 time); resetting its virtqueue'"

drop_one $vnone 2
check_eq "$vnone: one timeout" "$(ng_stat $vnone timeouts)" 1
check_eq "$vnone: no virtqueue reset" "$(ng_stat $vnone vq_resets)" 0
check_eq "$vnone: one device reset" "$(ng_rec $vnone dev_resets)" 1
check "$vnone: logged" sh -c "dmesg | grep -q '$vnone: vq [0-9]*: write of 4096 bytes at sector 4096 timed out after 2000 ms (1 time); resetting the device'"
echo 0 > $PARAM

check "$vring: data intact" vngio verify /dev/$vring 1m 4k 1
check "$vring: data intact" vngio verify /dev/$vring 3m 4k 3
check "$vnone: data intact" vngio verify /dev/$vnone 2m 4k 2
for d in $vring $vnone; do
	check_eq "$d: live" "$(ng_rec $d state)" live
	check "$d: I/O on both queues" io_on_queues $d
	check_eq "$d: no request failed" "$(ng_stat $d errors)" 0
done
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
