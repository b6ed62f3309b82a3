#!/bin/sh
# virtio_blk_ng against bad and error status bytes (vhost-user-bad
# "status", "ioerr", "unsupp"): undefined status 7, the poison value 255
# written by the device, IOERR and UNSUPP reads, an IOERR write and an
# IOERR flush. Each fails only its own request, with the right error; the
# undefined ones are logged.
# vng-vhost-user: --fault 'status=7 type=in sector=2048' --fault 'status=255 type=in sector=3072' --fault 'ioerr type=in sector=4096' --fault 'unsupp type=in sector=6144' --fault 'ioerr type=out sector=8192' --fault 'ioerr type=flush'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 420
# vng-post: test "$(grep -c 'FAULT [0-9]*: .*hits rule' vhost0.log)" = 6
. /vng/lib.sh
. /vng/ng-lib.sh

# Sector S is byte S * 512; every transfer is one 4 KiB O_DIRECT request.
at() { echo $(($1 * 512)); }

vng_load virtio_pci virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check "write sector 2048" vngio write /dev/vda $(at 2048) 4k 1
for t in "2048 7 EIO" "3072 255 EIO" "4096 IOERR EIO" "6144 UNSUPP EOPNOTSUPP"; do
	set -- $t
	check "read answered $2 fails with $3" vngio expect $3 verify /dev/vda $(at $1) 4k 1
done
check "status 7 logged" sh -c "dmesg | grep -q 'read completed with invalid status 0x7; failing it'"
check "status 255 logged" sh -c "dmesg | grep -q 'read completed with invalid status 0xff; failing it'"
check_eq "two undefined statuses" "$(ng_stat vda bad_status)" 2
check "write answered IOERR fails with EIO" vngio expect EIO write /dev/vda $(at 8192) 4k 2
check "flush answered IOERR fails fsync with EIO" vngio expect EIO flush /dev/vda
check_eq "six requests failed" "$(ng_stat vda errors)" 6
check "device still works" sh -c 'vngio write /dev/vda 16m 4m 5 && vngio verify /dev/vda 16m 4m 5 && vngio flush /dev/vda'
check "the failed read works now" vngio verify /dev/vda $(at 2048) 4k 1
check_eq "no used length complaints" "$(ng_stat vda bad_len)" 0
vng_done
