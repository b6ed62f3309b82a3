#!/bin/sh
# HDIO_GETGEO on the stock virtio_blk and on virtio_blk_ng, both over
# virtio_pci, on the same six devices: ours must answer exactly what stock
# does. QEMU's virtio-blk always offers VIRTIO_BLK_F_GEOMETRY (its cyls=,
# heads=, secs= properties, or its own guess: 130/16/63 for a blank 64 MiB
# image, 1008 sectors a cylinder); vhost-user-bad offers it only with
# --cfg, so without it both drivers must invent sd's geometry: 64 heads,
# 32 sectors, capacity >> 11 cylinders (truncated to the ABI's 16 bits).
# A partition reports its start sector, with the disk's geometry.
# Two limits ride along, which no other case sets: geo-chs has a 4 KiB
# physical block and non-zero min_io_size/opt_io_size (VIRTIO_BLK_F_TOPOLOGY:
# 16 and 256 logical blocks), geo-vu offers VIRTIO_BLK_F_SIZE_MAX (64 KiB);
# both drivers must turn them into the same queue limits.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=geo-chs,cyls=1234,heads=5,secs=7,physical_block_size=4096,min_io_size=8192,opt_io_size=131072
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=geo-max,cyls=65535,heads=255,secs=255
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,serial=geo-guess
# vng-vhost-user: --serial geo-fake --size 100M
# vng-vhost-user: --serial geo-wrap --cfg capacity=134223872
# vng-vhost-user: --serial geo-vu --cfg cylinders=300 --cfg heads=9 --cfg sectors=17 --cfg size_max=65536
# vng-qemu: -chardev socket,id=vu0,path=@VHOST0@ -device vhost-user-blk-pci,chardev=vu0,num-queues=1
# vng-qemu: -chardev socket,id=vu1,path=@VHOST1@ -device vhost-user-blk-pci,chardev=vu1,num-queues=1
# vng-qemu: -chardev socket,id=vu2,path=@VHOST2@ -device vhost-user-blk-pci,chardev=vu2,num-queues=1
# vng-timeout: 300
. /vng/lib.sh

# The rows: SERIAL GEOMETRY_NEGOTIATED HEADS SECTORS CYLINDERS.
# 100 MiB = 204800 sectors, >> 11 = 100; 134223872 sectors >> 11 = 65539,
# which the 16-bit cylinders field of struct hd_geometry wraps to 3.
ROWS="geo-chs 1 5 7 1234
geo-max 1 255 255 65535
geo-guess 1 16 63 130
geo-fake 0 64 32 100
geo-wrap 0 64 32 3
geo-vu 1 9 17 300"

# Few processes: under TCG each one costs the debug guest ~0.1 s.

# find_disk SERIAL: D=its vdX, DRV=its driver, GEO=VIRTIO_BLK_F_GEOMETRY
# (bit 4) as negotiated
find_disk() {
	vng_disk_by_serial "$1"
	GEO=
	[ -n "$D" ] || return 0
	read -r _f <"/sys/block/$D/device/features"
	case $_f in ????1*) GEO=1 ;; *) GEO=0 ;; esac
}

# run DRV: every row on the driver now bound; answers kept in /tmp/geo.DRV.*
run() {
	drv=$1
	check "$drv: six disks" vng_wait_for /sys/block/vdf
	while read -r ser bit heads secs cyls; do
		[ -n "$ser" ] || continue
		find_disk "$ser"
		if [ -z "$D" ]; then
			fail "$drv $ser: no disk"
			continue
		fi
		check_eq "$drv $ser ($D): bound to $drv" "$DRV" "$drv"
		check_eq "$drv $ser: GEOMETRY negotiated = $bit" "$GEO" "$bit"
		getgeo "/dev/$D" >"/tmp/geo.$drv.$ser" 2>&1
		read -r got <"/tmp/geo.$drv.$ser"
		echo "# $drv $ser ($D): $got"
		check_eq "$drv $ser: HDIO_GETGEO" "$got" \
			"heads=$heads sectors=$secs cylinders=$cyls start=0"
	done <<ROWS_END
$ROWS
ROWS_END
	find_disk geo-chs
	_q=/sys/block/$D/queue
	read -r _p <$_q/physical_block_size
	read -r _m <$_q/minimum_io_size
	read -r _o <$_q/optimal_io_size
	echo "$_p $_m $_o" >"/tmp/geo.$drv.topo"
	check_eq "$drv geo-chs: physical block, minimum and optimal I/O size" \
		"$_p $_m $_o" "4096 8192 131072"
	check "$drv geo-chs: partition 1 appears" vng_wait_for "/dev/${D}1"
	getgeo "/dev/${D}1" >"/tmp/geo.$drv.part" 2>&1
	read -r got <"/tmp/geo.$drv.part"
	echo "# $drv geo-chs partition (${D}1): $got"
	check_eq "$drv geo-chs: HDIO_GETGEO on the partition" "$got" \
		"heads=5 sectors=7 cylinders=1234 start=2048"
	find_disk geo-vu
	read -r _s <"/sys/block/$D/queue/max_segment_size"
	echo "$_s" >"/tmp/geo.$drv.segsize"
	check_eq "$drv geo-vu: max_segment_size is the device's size_max" "$_s" 65536
}

vng_load virtio_pci virtio_blk
check "stock binds the disks" vng_wait_for /sys/block/vdf
# One MBR partition on geo-chs: type 0x83, LBA 2048, 4096 sectors.
find_disk geo-chs
d=$D
printf '\000\000\000\000\203\000\000\000\000\010\000\000\000\020\000\000' |
	dd of="/dev/$d" bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="/dev/$d" bs=1 seek=510 conv=notrunc 2>/dev/null
sync
check "stock: re-read the partition table" blockdev --rereadpt "/dev/$d"
run virtio_blk

check "rmmod virtio_blk" rmmod virtio_blk
vng_load virtio_blk_ng
run virtio_blk_ng

for k in geo-chs geo-max geo-guess geo-fake geo-wrap geo-vu part topo segsize; do
	check "$k: virtio_blk_ng answers as virtio_blk" \
		cmp "/tmp/geo.virtio_blk.$k" "/tmp/geo.virtio_blk_ng.$k"
done
vng_done
