#!/bin/sh
# One hardware queue per virtqueue: 1, 2 and 4 device queues on 4 CPUs,
# every CPU mapped, I/O from each CPU lands on its queue's virtqueue.
# num_request_queues caps the count.
# vng-qemu: -smp 4
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,num-queues=1
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,num-queues=2
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,num-queues=4
# vng-timeout: 600
. /vng/lib.sh
. /vng/ng-lib.sh

nq() { ls -d /sys/block/$1/mq/* | wc -l; }
# every CPU appears exactly once across the disk's hardware queues
cpus_mapped() {
	[ "$(cat /sys/block/$1/mq/*/cpu_list | tr ', ' '\n\n' | grep -c .)" = 4 ] &&
	[ "$(cat /sys/block/$1/mq/*/cpu_list | tr ', ' '\n\n' | grep . | sort -u | wc -l)" = 4 ]
}

check_eq "4 CPUs" "$(nproc)" 4
vng_load virtio_pci virtio_blk_ng
check "three disks" vng_wait_for /sys/block/vdc
for d in vda:1 vdb:2 vdc:4; do
	disk=${d%:*} n=${d#*:}
	check_eq "$disk: $n hardware queues" "$(nq $disk)" $n
	check_eq "$disk: $n virtqueues" "$(grep -c '^vq' $NGDBG/$disk/stats)" $n
	check "$disk: every CPU mapped once" cpus_mapped $disk
done

# I/O from each CPU on vdc: each of the 4 virtqueues sees commands.
for cpu in 0 1 2 3; do
	taskset -c $cpu vngio write /dev/vdc $((cpu * 4))m 4m $cpu
done
check "vdc: all four virtqueues used" sh -c "[ \$(grep -c 'submitted=[1-9]' $NGDBG/vdc/stats) = 4 ]"
ok_all=1
for cpu in 0 1 2 3; do
	taskset -c $(((cpu + 1) % 4)) vngio verify /dev/vdc $((cpu * 4))m 4m $cpu || ok_all=0
done
check_eq "vdc: data read back from other CPUs" $ok_all 1
for d in vda vdb vdc; do check "$d clean" ng_clean $d; done

check "rmmod" rmmod virtio_blk_ng
check "num_request_queues=2" modprobe virtio_blk_ng num_request_queues=2
check "disks back" vng_wait_for /sys/block/vdc
check_eq "vda: 1 queue" "$(nq vda)" 1
check_eq "vdb: 2 queues" "$(nq vdb)" 2
check_eq "vdc: capped at 2" "$(nq vdc)" 2
check "vdc: every CPU mapped once" cpus_mapped vdc
check "vdc: data intact" sh -c "vngio verify /dev/vdc 0 4m 0 && vngio verify /dev/vdc 12m 4m 3"
vng_done
