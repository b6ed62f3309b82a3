#!/bin/sh
# Stock virtio_blk over stock virtio_pci when PCI bus mastering is turned
# off for 4 s under I/O and on again (blk-busmaster's toggle, which ours
# survives). Records what the stock pair does: QEMU clears DRIVER_OK while
# bus mastering is off and does not set it again, and stock has no timeout
# handler to notice: the I/O in flight waits for ever (blk-busmaster:
# ours resets the device at its first timeout and goes on). --full only
# (a record of stock, about 2 minutes).
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,cache=none
# vng-qemu: -device virtio-blk-pci,drive=d0,num-queues=2,disable-legacy=on,serial=bm
# vng-needs: fio
# vng-timeout: 300
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/kst.sh

kst_load virtio_pci:virtio_blk || vng_done
d=$(kst_disk bm) || vng_done
bdf=$(basename "$(readlink -f /sys/block/$d/device/..)")
cmd=$(pci_cmd_word "$bdf")
vu_bg fio fio --name=bm --filename=/dev/$d --direct=1 \
	--ioengine=io_uring --rw=randwrite --bs=4k --iodepth=8 \
	--size=2m --loops=6 --verify=crc32c --verify_fatal=1
sleep 2
pci_cmd_word "$bdf" $((cmd & ~4))
sleep 4
pci_cmd_word "$bdf" "$cmd"
check_eq "bus mastering on again" "$(pci_cmd_word "$bdf")" "$cmd"
# What stock does (one run, session 18): fio still waits 60 s after bus
# mastering returned, 8 writes in flight, the status 0x0b (DRIVER_OK gone).
if vu_wait fio 60; then
	fail "stock: fio ended after bus mastering returned (exit $VU_RC): the finding changed"
	tail -n 5 /tmp/fio.out | sed 's/^/# /'
else
	ok "stock: fio still waits 60 s after bus mastering returned"
fi
check_eq "stock: the device status lost DRIVER_OK and stays so" \
	"$(cat /sys/block/$d/device/status)" 0x0000000b
read -r r w </sys/block/$d/inflight
check "stock: writes stay in flight ($w)" test "$w" -ge 1
vng_done
