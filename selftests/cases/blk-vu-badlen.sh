#!/bin/sh
# virtio_blk_ng against wrong used lengths (vhost-user-bad "len"), the
# faults of vu-stock-badlen: reads completed with used len 0, half the real
# length and more than the buffers; a write with used len 0 (it must be 1).
# Each such request fails with EIO and a message naming the length; the
# device keeps working. (Stock virtio_blk ignores the used length.) Short
# lengths fail only in strict mode (virtio_blk_ng.strict_used_len=1, the
# default in a confidential guest); blk-vu-laxlen shows the default here.
# vng-kernel-args: virtio_blk_ng.strict_used_len=1
# vng-vhost-user: --fault 'len=zero type=in sector=2048' --fault 'len=short type=in sector=4096' --fault 'len=long type=in sector=6144' --fault 'len=zero type=out sector=8192'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: test "$(grep -c 'FAULT [0-9]*: .*hits rule .len=' vhost0.log)" = 4
. /vng/lib.sh
. /vng/ng-lib.sh

# Sector S is byte S * 512; every transfer is one 4 KiB O_DIRECT request.
at() { echo $(($1 * 512)); }

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "strict mode, from the parameter" "$(cat /sys/block/vda/strict_used_len)" 1
for s in 2048 4096 6144; do
	check "write sector $s" vngio write /dev/vda $(at $s) 4k $s
done
for t in "2048 zero 0" "4096 short 2048" "6144 long 8193"; do
	set -- $t
	check "read with used len $2 fails with EIO" vngio expect EIO verify /dev/vda $(at $1) 4k $1
	check "logged with the length" sh -c "dmesg | grep -q 'read completed with used length $3, expected 4097..4097; failing it'"
done
check "write with used len 0 fails with EIO" vngio expect EIO write /dev/vda $(at 8192) 4k 8192
check "logged" sh -c "dmesg | grep -q 'write completed with used length 0, expected 1..1; failing it'"
check_eq "four completions rejected" "$(ng_stat vda bad_len)" 4
check_eq "four requests failed" "$(ng_stat vda errors)" 4
check "the same reads work now" sh -c 'for s in 2048 4096 6144; do vngio verify /dev/vda $((s * 512)) 4k $s || exit 1; done'
check "and the write" sh -c 'vngio write /dev/vda 4194304 4k 8192 && vngio verify /dev/vda 4194304 4k 8192'
check "O_DIRECT on both queues" sh -c 'vngio write /dev/vda 16m 8m 3 && vngio verify /dev/vda 16m 8m 3'
check_eq "no further rejections" "$(ng_stat vda bad_len)" 4
vng_done
