#!/bin/sh
# The used-length policy on a lax device (vhost-user-bad "len=lax": every
# used length counts the data but not the status byte, a quirk real VMMs
# have shipped). Outside a confidential guest virtio_blk_ng accepts a short
# success as virtio_blk does: the I/O works, each one is counted (lax_len),
# one warning is logged. An impossible length (more than the buffers) and
# a partial read (half its buffer: not a known quirk) still fail. Switched to strict through sysfs, the same read fails with EIO;
# switched back, it works again.
# vng-vhost-user: --fault 'len=long type=in sector=6144' --fault 'len=short type=in sector=10240' --fault 'len=lax count=all'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: grep -q 'hits rule .len=lax' vhost0.log
. /vng/lib.sh
. /vng/ng-lib.sh

at() { echo $(($1 * 512)); }

vng_load virtio_pci virtio_blk_ng
check "vda appears (partition scan on a lax device)" vng_wait_for /dev/vda
check_eq "lax by default outside a confidential guest" "$(cat /sys/block/vda/strict_used_len)" 0
for s in 2048 4096; do
	check "write sector $s" vngio write /dev/vda $(at $s) 4k $s
	check "read it back" vngio verify /dev/vda $(at $s) 4k $s
done
check "8 MiB O_DIRECT on both queues" sh -c 'vngio write /dev/vda 16m 8m 3 && vngio verify /dev/vda 16m 8m 3'
sync
lax=$(ng_stat vda lax_len)
check "short successes counted (lax_len=$lax)" test "$lax" -gt 10
check_eq "none rejected" "$(ng_stat vda bad_len)" 0
check_eq "no request failed" "$(ng_stat vda errors)" 0
check_eq "one warning, naming the disk" "$(dmesg | grep -c 'accepted as strict_used_len is 0 for vda; later ones are only counted')" 1
check "it names the length" sh -c "dmesg | grep -q 'completed with used length [0-9]*, expected [0-9]*\.\.[0-9]*; accepted'"

check "a length beyond the buffers still fails" vngio expect EIO verify /dev/vda $(at 6144) 4k 6144
check_eq "and is rejected" "$(ng_stat vda bad_len)" 1
check "a read reported half done still fails" vngio expect EIO verify /dev/vda $(at 10240) 4k 10240
check "logged as failed" sh -c "dmesg | grep -q 'read completed with used length 2048, expected 4097..4097; failing it'"
check_eq "rejected too" "$(ng_stat vda bad_len)" 2

check "strict through sysfs" sh -c 'echo 1 > /sys/block/vda/strict_used_len'
check "the same read fails now" vngio expect EIO verify /dev/vda $(at 2048) 4k 2048
check "logged as failed" sh -c "dmesg | grep -q 'read completed with used length 4096, expected 4097..4097; failing it'"
check_eq "rejected" "$(ng_stat vda bad_len)" 3
check "lax again" sh -c 'echo 0 > /sys/block/vda/strict_used_len'
check "the read works again" vngio verify /dev/vda $(at 2048) 4k 2048
check "sysfs refuses nonsense" sh -c '! echo maybe > /sys/block/vda/strict_used_len'
vng_done
