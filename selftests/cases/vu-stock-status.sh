#!/bin/sh
# Stock virtio_blk against bad and error status bytes (vhost-user-bad
# "status", "ioerr", "unsupp"): a read answered with the undefined status
# 7 (its data transferred), reads answered IOERR and UNSUPP, a write
# answered IOERR and a FLUSH answered IOERR. Records what the stock
# driver does: status 7 is taken as an I/O error, UNSUPP as "operation
# not supported", each fails only its own request and is logged (the
# FLUSH as a data-less WRITE of sector 0), and the device keeps working
# afterwards.
# vng-vhost-user: --fault 'status=7 type=in sector=2048' --fault 'ioerr type=in sector=4096' --fault 'unsupp type=in sector=6144' --fault 'ioerr type=out sector=8192' --fault 'ioerr type=flush'
# vng-qemu: -chardev socket,id=vu0,path=@VHOST@
# vng-qemu: -device vhost-user-blk-pci,chardev=vu0,num-queues=2
# vng-timeout: 120
# vng-post: test "$(grep -c 'FAULT [0-9]*: .*hits rule' vhost0.log)" = 5 && grep -q 'status 7 instead of 0' vhost0.log
. /vng/lib.sh
. /vng/vu-lib.sh

vng_load virtio_pci virtio_blk
check "vda appears" vng_wait_for /dev/vda
dd if=/dev/urandom of=/tmp/rand bs=4k count=1 2>/dev/null
check "write sector 2048" vu-io write /dev/vda $((2048 * 512)) 4096 /tmp/rand

# expect DESC ERRNO-NAME COMMAND..: the command fails with that errno
expect() {
	_d=$1 _e=$2
	shift 2
	if "$@" >/tmp/io.out; then
		fail "$_d: succeeded"
	else
		check "$_d: fails with $_e" grep -q "$_e" /tmp/io.out
	fi
	sed 's/^/# /' /tmp/io.out
}
expect "stock: read with status 7" EIO vu-io read /dev/vda $((2048 * 512)) 4096
expect "stock: read with IOERR" EIO vu-io read /dev/vda $((4096 * 512)) 4096
expect "stock: read with UNSUPP" EOPNOTSUPP vu-io read /dev/vda $((6144 * 512)) 4096
expect "stock: write with IOERR" EIO vu-io write /dev/vda $((8192 * 512)) 4096 /tmp/rand
expect "stock: FLUSH with IOERR" EIO vu-io flush /dev/vda
check "stock: each error is logged for its sector" sh -c \
	"dmesg | grep -q 'I/O error, dev vda, sector 2048 op 0x0:(READ)' &&
	 dmesg | grep -q 'I/O error, dev vda, sector 4096 op 0x0:(READ)' &&
	 dmesg | grep -q 'operation not supported error, dev vda, sector 6144 op 0x0:(READ)' &&
	 dmesg | grep -q 'I/O error, dev vda, sector 8192 op 0x1:(WRITE)' &&
	 dmesg | grep -q 'I/O error, dev vda, sector 0 op 0x1:(WRITE) .*phys_seg 0 '"
dmesg | grep 'dev vda' | sed 's/^/# /'
check "afterwards: the status-7 sector reads fine" \
	vu-io read /dev/vda $((2048 * 512)) 4096 /tmp/back
check "afterwards: with the data written before" cmp /tmp/rand /tmp/back
check "afterwards: the IOERR sector is writable" \
	vu-io write /dev/vda $((8192 * 512)) 4096 /tmp/rand
check "afterwards: FLUSH works" vu-io flush /dev/vda
vng_done
