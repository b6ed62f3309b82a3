#!/bin/sh
# Stock virtio_blk against capacity changes at runtime: vhost-user-bad
# resizes its (memory) disk after the first serial read from 64 to 128 MiB
# and after the second down to 32 MiB, each time telling QEMU with
# VHOST_USER_BACKEND_CONFIG_CHANGE_MSG; QEMU re-reads the config and
# raises a config interrupt. Records what the stock driver does: it
# follows both changes and logs them; I/O in the new space works, and I/O
# beyond the shrunk end is refused by the block layer.
# vng-vhost-user: --serial vu-resize --fault 'resize=128M type=getid nth=1' --fault 'resize=32M type=getid nth=2'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: grep -q 'capacity 131072 -> 262144 sectors' vhost0.log && grep -q 'capacity 262144 -> 65536 sectors' vhost0.log && test "$(grep -c 'sent CONFIG_CHANGE_MSG' vhost0.log)" = 2
. /vng/lib.sh
. /vng/vu-lib.sh

wait_size() {
	_i=0
	while [ "$(cat /sys/block/vda/size)" != "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
	return 0
}

vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
check_eq "vda is 64 MiB" "$(cat /sys/block/vda/size)" 131072
check_eq "serial (the device grows after it)" "$(cat /sys/block/vda/serial)" vu-resize
check "stock: vda grows to 128 MiB" wait_size 262144
check "stock: logs the change" \
	sh -c "dmesg | grep -q 'vda: detected capacity change from 131072 to 262144'"
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
check "write at 100 MiB" vu-io write /dev/vda $((100 * 1048576)) 4096 /tmp/rand
check "read it back" vu-io read /dev/vda $((100 * 1048576)) 4096 /tmp/back
check "data matches" cmp /tmp/rand /tmp/back
check_eq "serial (the device shrinks after it)" "$(cat /sys/block/vda/serial)" vu-resize
check "stock: vda shrinks to 32 MiB" wait_size 65536
check "stock: logs the change" \
	sh -c "dmesg | grep -q 'vda: detected capacity change from 262144 to 65536'"
vu-io read /dev/vda $((40 * 1048576)) 4096 >/tmp/out
check "stock: a read at 40 MiB gets nothing" grep -q 'read: 0 of 4096' /tmp/out
check "a read at 16 MiB works" vu-io read /dev/vda $((16 * 1048576)) 4096
vng_done
