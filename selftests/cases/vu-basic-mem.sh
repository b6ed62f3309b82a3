#!/bin/sh
# vhost-user-bad with no faults, other ring options: memory storage,
# EVENT_IDX on, INDIRECT_DESC off (chains of direct descriptors), 256-entry
# rings, 4 queues, CONFIG_WCE. The stock drivers write and read back in
# parallel on every queue, O_DIRECT, and verify the data.
# vng-vhost-user: --size 32M --serial vu-basic-mem --event-idx --no-indirect --cfg wce=1
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=4,queue-size=256
# vng-timeout: 180
# vng-post: grep -q 'features: .*CONFIG_WCE MQ EVENT_IDX PROTOCOL_FEATURES VERSION_1' vhost0.log && ! grep -q 'features: .*INDIRECT' vhost0.log && test "$(grep -c 'stats: q[0-3]: ' vhost0.log)" -ge 2 && ! grep -q 'FAULT' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

MiB=1048576
vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check_eq "vda is 32 MiB" "$(cat /sys/block/vda/size)" 65536
check_eq "hardware queues: 4 offered, one per CPU used" \
	"$(ls /sys/block/vda/mq | wc -l)" "$(nproc)"
check_eq "write cache (CONFIG_WCE)" "$(cat /sys/block/vda/queue/write_cache)" "write back"
check "cache type is writable (CONFIG_WCE)" \
	sh -c "echo 'write through' >/sys/block/vda/cache_type"
check_eq "write through now" "$(cat /sys/block/vda/queue/write_cache)" "write through"

dd if=/dev/urandom of=/tmp/rand bs=1M count=2 2>/dev/null
# Two writers per hardware queue at once, on a CPU that submits there.
n=0
for q in 0 1 2 3; do
	[ -s /sys/block/vda/mq/$q/cpu_list ] || continue
	cpu=$(vu_cpu_of_queue $q)
	for j in 0 1; do
		vu_bg w$q$j taskset -c "$cpu" \
			vu-io -b 65536 write /dev/vda $(((q * 4 + j * 2) * MiB)) $((2 * MiB)) /tmp/rand
		n=$((n + 1))
	done
done
echo "# $n writers"
for q in 0 1 2 3; do
	[ -s /sys/block/vda/mq/$q/cpu_list ] || continue
	for j in 0 1; do
		if vu_wait w$q$j 60; then
			check_eq "q$q writer $j: done" "$VU_RC" 0
		else
			fail "q$q writer $j: hangs"
		fi
		check "q$q writer $j: read back (4 KiB requests)" \
			vu-io -b 4096 read /dev/vda $(((q * 4 + j * 2) * MiB)) $((2 * MiB)) /tmp/back
		check "q$q writer $j: data matches" cmp /tmp/rand /tmp/back
	done
done
check "flush" vu-io flush /dev/vda
vng_done
