#!/bin/sh
# VIRTIO_BLK_F_LIFETIME: /sys/block/vdX/lifetime/ shows what the device
# answers to GET_LIFETIME, read on demand (each read is one request), and
# only when the feature was negotiated. A lifetime request the device
# answers with a zero used length, UNSUPP or an undefined status fails that
# read with an error and a message; the next read works again and the disk
# is not affected. Needs a QEMU whose vhost-user-blk forwards
# VIRTIO_BLK_F_LIFETIME (vhost-user-bad offers it with --lifetime).
# vng-vhost-user: --serial life --lifetime 2,3,11 --fault 'len=zero type=lifetime nth=4' --fault 'unsupp type=lifetime nth=5' --fault 'status=9 type=lifetime nth=6'
# vng-vhost-user: --serial nolife
# vng-qemu: -chardev socket,id=vu0,path=@VHOST0@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=1
# vng-qemu: -chardev socket,id=vu1,path=@VHOST1@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu1,num-queues=1
# vng-timeout: 300
# Not in the CI set: QEMU 7.2 (Debian 12) does not forward the feature, and
# the case then only skips.
. /vng/lib.sh
. /vng/ng-lib.sh
. /vng/vu-lib.sh

vng_load virtio_pci_ng virtio_blk_ng
check "two disks" vng_wait_for /sys/block/vdb
d=$(vu_disk_by_serial life)
n=$(vu_disk_by_serial nolife)
check "both found by serial" test -n "$d" -a -n "$n"
L=/sys/block/$d/lifetime
# QEMU 7.2's vhost-user-blk front-end masks the offer with its own list of
# feature bits, which lacks LIFETIME: then there is nothing to test here.
if [ "$(cut -c16 /sys/block/$d/device/features)" != 1 ]; then
	skip "GET_LIFETIME through sysfs" "this QEMU does not pass VIRTIO_BLK_F_LIFETIME to the guest"
	check "no lifetime directory without the feature" sh -c "! test -e $L"
	vng_done
fi
check "no lifetime directory without the feature" sh -c "! test -e /sys/block/$n/lifetime"
check_eq "pre_eol_info" "$(cat $L/pre_eol_info)" 2
check_eq "device_lifetime_est_typ_a" "$(cat $L/device_lifetime_est_typ_a)" 3
check_eq "device_lifetime_est_typ_b" "$(cat $L/device_lifetime_est_typ_b)" 11
check_eq "one GET_LIFETIME per read" "$(ng_op "$d" get_lifetime)" 3
check "zero used length: the read fails" sh -c "! cat $L/pre_eol_info"
check "UNSUPP: the read fails" sh -c "! cat $L/pre_eol_info"
check "status 9: the read fails" sh -c "! cat $L/pre_eol_info"
check "the short answer was logged" sh -c "dmesg | grep -q 'get_lifetime.*used length\|used length.*get_lifetime'"
check "status 9 was logged" sh -c "dmesg | grep -q 'get_lifetime completed with invalid status 0x9'"
check_eq "the next read works" "$(cat $L/device_lifetime_est_typ_b)" 11
check_eq "seven GET_LIFETIME requests" "$(ng_op "$d" get_lifetime)" 7
check "the disk still works" sh -c "vngio write /dev/$d 1m 1m 7 && vngio verify /dev/$d 1m 1m 7"
dmesg | grep -i 'virtio_blk_ng\|lifetime' | tail -8 | sed 's/^/# /'
vng_done
