#!/bin/sh
# /sys/block/vdX/serial at the edges of the 20-byte GET_ID buffer, on the
# stock virtio_blk and on virtio_blk_ng (both over virtio_pci): one byte,
# 19 (the device's NUL is the 20th byte), exactly 20 (no NUL on the wire),
# 25 (QEMU 7.2 accepts it and sends the first 20 bytes, no NUL: "the
# string is terminated by '\0' only when shorter than buffer"), none (QEMU
# writes a lone NUL), and from vhost-user-bad, which writes all 20 bytes
# zero-padded: a 20-byte ID and a 2-byte one. The attribute must hold
# exactly the expected bytes (no newline, no trailing garbage) and ours the
# same bytes as stock. Disks are found by PCI slot, not by serial.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,addr=0x4,serial=A
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,addr=0x5,serial=ABCDEFGHIJKLMNOPQRS
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,addr=0x6,serial=ABCDEFGHIJKLMNOPQRST
# vng-qemu: -drive if=none,id=d3,file=@DISK3@,format=raw -device virtio-blk-pci,drive=d3,addr=0x7,serial=ABCDEFGHIJKLMNOPQRSTUVWXY
# vng-qemu: -drive if=none,id=d4,file=@DISK4@,format=raw -device virtio-blk-pci,drive=d4,addr=0x8
# vng-vhost-user: --serial VHOST-USER-BAD-20-ID
# vng-vhost-user: --serial ab
# vng-qemu: -chardev socket,id=vu0,path=@VHOST0@ -device vhost-user-blk-pci,chardev=vu0,num-queues=1,addr=0x9
# vng-qemu: -chardev socket,id=vu1,path=@VHOST1@ -device vhost-user-blk-pci,chardev=vu1,num-queues=1,addr=0xa
# vng-timeout: 300
. /vng/lib.sh

# Few processes: under TCG each one costs the debug guest ~0.1 s.

# SLOT EXPECTED (- for empty)
ROWS="04 A
05 ABCDEFGHIJKLMNOPQRS
06 ABCDEFGHIJKLMNOPQRST
07 ABCDEFGHIJKLMNOPQRST
08 -
09 VHOST-USER-BAD-20-ID
0a ab"

# disk_at SLOT: D=the vdX of the virtio-blk function at 0000:00:SLOT.0
disk_at() {
	D=
	for _b in /sys/bus/pci/devices/0000:00:$1.0/virtio*/block/*; do
		[ -e "$_b" ] && D=${_b##*/}
	done
}

# run DRV: every row on the driver now bound; raw bytes kept in /tmp/ser.DRV.*
run() {
	drv=$1
	check "$drv: seven disks" vng_wait_for /sys/block/vdg
	while read -r slot want; do
		[ -n "$slot" ] || continue
		[ "$want" = - ] && want=
		disk_at "$slot"
		if [ -z "$D" ]; then
			fail "$drv slot $slot: no disk"
			continue
		fi
		_l=$(readlink "/sys/block/$D/device/driver")
		check_eq "$drv slot $slot ($D): bound to $drv" "${_l##*/}" "$drv"
		f=/tmp/ser.$drv.$slot
		printf %s "$want" >"$f.want"
		cat "/sys/block/$D/serial" >"$f"
		echo "# $drv slot $slot ($D):$(od -An -c -w32 "$f")"
		check "$drv slot $slot: exactly the ${#want} bytes '$want'" cmp "$f.want" "$f"
		cat "/sys/block/$D/serial" >"$f.2"
		check "$drv slot $slot: the same on a second read" cmp "$f" "$f.2"
	done <<ROWS_END
$ROWS
ROWS_END
}

vng_load virtio_pci virtio_blk
run virtio_blk
check "rmmod virtio_blk" rmmod virtio_blk
vng_load virtio_blk_ng
run virtio_blk_ng
disk_at 06
check "virtio_blk_ng sent GET_ID" test "$(awk '$1 == "get_id" { print $2 }' "/sys/kernel/debug/virtio_blk_ng/$D/ops")" -ge 2

for slot in 04 05 06 07 08 09 0a; do
	check "slot $slot: virtio_blk_ng's bytes are virtio_blk's" \
		cmp "/tmp/ser.virtio_blk.$slot" "/tmp/ser.virtio_blk_ng.$slot"
done
vng_done
