#!/bin/sh
# The other virtio device classes QEMU offers here, each driven by its
# stock virtio driver over virtio_pci_ng, with a workload that needs the
# device to answer:
#   00:04  virtio-scsi    a SCSI disk (sd): 1 MiB written and read back
#                         with O_DIRECT
#   00:05  virtio-9p      a host directory: mount, write, remount, read
#                         back; the host checks what arrived (vng-post)
#   00:06  virtio-balloon QMP "balloon" to 768 MiB: the guest gives 256 MiB
#                         back (MemTotal drops), then takes it again
#   00:07  virtio-keyboard  QMP input-send-event: the key press and release
#   00:08  virtio-tablet    and an absolute pointer move arrive on evdev
# The interrupt mode is QEMU's choice per class, so three modes with real
# drivers: virtio-scsi and virtio-9p have a vector per virtqueue,
# virtio-input 2 vectors for 3 (shared), virtio-balloon no MSI-X (INTx).
# Not here:
# vsock (the host has no /dev/vhost-vsock, and Debian 12 has no
# vhost-user-vsock back-end), virtio-gpu (the test kernel has no DRM), and
# a shared memory region (get_shm_region): no device QEMU 7.2 or 10.0 offers
# without a vhost-user back-end of its own (virtio-fs' DAX window, not
# merged upstream) has one (Documentation/testing.md).
# vng-qemu: -device virtio-scsi-pci,id=scsi0,addr=0x4
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device scsi-hd,drive=d0,bus=scsi0.0,serial=vng-scsi
# vng-qemu: -fsdev local,id=fs0,path=@DIR0@,security_model=none
# vng-qemu: -device virtio-9p-pci,fsdev=fs0,mount_tag=vng9p,addr=0x5
# vng-qemu: -device virtio-balloon-pci,id=bal0,addr=0x6
# vng-qemu: -device virtio-keyboard-pci,addr=0x7
# vng-qemu: -device virtio-tablet-pci,addr=0x8
# vng-post: grep -qx 'written over virtio_pci_ng' dir0/hello && grep -q "^# 9p: big $(md5sum <dir0/big | cut -d' ' -f1)\$" "$log"
# vng-timeout: 300
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh
. /vng/ng-lib.sh

vng_load virtio_pci_ng
for bdf in 0000:00:04.0 0000:00:05.0 0000:00:06.0 0000:00:07.0 0000:00:08.0; do
	check_eq "$bdf: bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
done

# scsi: the disk the SCSI midlayer finds behind virtio_scsi's host
scsi() {
	b=0000:00:04.0
	vng_load virtio_scsi sd_mod
	check_eq "scsi: virtio device ID 8" \
		"$(cat /sys/bus/virtio/devices/$(ng_vdev $b)/device)" 0x0008
	i=0 sd=
	while [ -z "$sd" ] && [ $i -lt 100 ]; do
		for p in /sys/bus/pci/devices/$b/virtio*/host*/target*/*/block/sd*; do
			[ -e "$p" ] && sd=$(basename "$p")
		done
		[ -n "$sd" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$sd" ]; then
		fail "scsi: a disk appears behind virtio_scsi"
		return
	fi
	check "scsi: $sd appears" vng_wait_for /dev/$sd
	check_eq "scsi: $sd is 64 MiB" "$(cat /sys/block/$sd/size)" 131072
	check "scsi: $sd's serial in VPD page 0x80" \
		grep -aq vng-scsi /sys/block/$sd/device/vpd_pg80
	check_eq "scsi: interrupt mode" "$(ng_mode $b)" msix-per-vq
	before=$(ng_irq_sum " $(ng_vdev $b)-request")
	check "scsi: 1 MiB O_DIRECT write and read back" ng_io "$sd"
	after=$(ng_irq_sum " $(ng_vdev $b)-request")
	check "scsi: request queue vectors fired ($before -> $after)" \
		test "$after" -gt "$before"
}

# ninep: a file system on the host directory @DIR0@
ninep() {
	b=0000:00:05.0
	vng_load 9pnet_virtio 9p
	check_eq "9p: mount tag" \
		"$(tr -d '\0' </sys/bus/virtio/devices/$(ng_vdev $b)/mount_tag)" vng9p
	mkdir -p /mnt/9p
	o=trans=virtio,version=9p2000.L
	check "9p: mount" mount -t 9p -o $o vng9p /mnt/9p
	check "9p: write a file" sh -c 'echo "written over virtio_pci_ng" >/mnt/9p/hello'
	check "9p: write 1 MiB" dd if=/dev/urandom of=/mnt/9p/big bs=64k count=16
	sum=$(md5sum </mnt/9p/big | cut -d' ' -f1)
	echo "# 9p: big $sum"
	check "9p: umount" umount /mnt/9p
	check "9p: mount again" mount -t 9p -o $o vng9p /mnt/9p
	check_eq "9p: the file reads back" "$(cat /mnt/9p/hello)" "written over virtio_pci_ng"
	check_eq "9p: 1 MiB reads back" "$(md5sum </mnt/9p/big | cut -d' ' -f1)" "$sum"
	check "9p: umount" umount /mnt/9p
	check_eq "9p: interrupt mode" "$(ng_mode $b)" msix-per-vq
}

# memtotal: MemTotal in kB
memtotal() { awk '/^MemTotal:/ { print $2 }' /proc/meminfo; }

# balloon: inflate by 256 MiB through QMP and deflate again
balloon() {
	b=0000:00:06.0
	vng_load virtio_balloon
	check_eq "balloon: virtio device ID 5" \
		"$(cat /sys/bus/virtio/devices/$(ng_vdev $b)/device)" 0x0005
	full=$(memtotal)
	echo 'VNG-QMP: {"execute": "balloon", "arguments": {"value": 805306368}}'
	i=0
	while [ $((full - $(memtotal))) -lt 262144 ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check_eq "balloon: inflated by 256 MiB (MemTotal $full -> $(memtotal) kB)" \
		$((full - $(memtotal))) 262144
	echo 'VNG-QMP: {"execute": "balloon", "arguments": {"value": 1073741824}}'
	i=0
	while [ "$(memtotal)" -lt "$full" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check_eq "balloon: deflated (MemTotal back to $full kB)" "$(memtotal)" "$full"
	# virtio-balloon-pci has no MSI-X in QEMU.
	check_eq "balloon: interrupt mode" "$(ng_mode $b)" intx
}

# evdev NAME: the event device of the input device called NAME
evdev() {
	for n in /sys/class/input/input*/name; do
		[ "$(cat "$n")" = "$1" ] || continue
		for e in "${n%/name}"/event*; do
			[ -e "$e" ] && basename "$e"
		done
	done
	return 0
}

# first_event FILE: "TYPE CODE VALUE" of the first struct input_event
# (64-bit: 16 bytes of time, u16 type, u16 code, s32 value)
first_event() { od -An -tu2 -j16 -N4 "$1" | xargs; }
event_value() { od -An -td4 -j20 -N4 "$1" | xargs; }

# capture DEV BYTES QMP: start reading DEV, send the QMP command, wait for
# BYTES bytes of events in /tmp/DEV
capture() {
	: >/tmp/$1
	cat /dev/input/$1 >/tmp/$1 &
	pid=$!
	sleep 0.2
	echo "VNG-QMP: $3"
	i=0
	while [ "$(wc -c </tmp/$1)" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $pid
	wait $pid 2>/dev/null
}

input() {
	vng_load evdev virtio_input
	kbd=$(evdev "QEMU Virtio Keyboard") tab=$(evdev "QEMU Virtio Tablet")
	check "input: the keyboard's event device" test -n "$kbd"
	check "input: the tablet's event device" test -n "$tab"
	[ -n "$kbd" ] && [ -n "$tab" ] || return
	check "input: /dev/input/$kbd" vng_wait_for /dev/input/$kbd
	check "input: /dev/input/$tab" vng_wait_for /dev/input/$tab
	# "a" down and up in one QMP command, which QEMU ends with one sync:
	# EV_KEY KEY_A 1, EV_KEY KEY_A 0, SYN (3 x 24 bytes)
	capture "$kbd" 72 '{"execute": "input-send-event", "arguments": {"events": [{"type": "key", "data": {"down": true, "key": {"type": "qcode", "data": "a"}}}, {"type": "key", "data": {"down": false, "key": {"type": "qcode", "data": "a"}}}]}}'
	check_eq "input: keyboard: 3 events" "$(wc -c </tmp/$kbd)" 72
	check_eq "input: keyboard: first is EV_KEY KEY_A" "$(first_event /tmp/$kbd)" "1 30"
	check_eq "input: keyboard: a press" "$(event_value /tmp/$kbd)" 1
	check_eq "input: keyboard: then its release" \
		"$(od -An -tu2 -j40 -N4 /tmp/$kbd | xargs) $(od -An -td4 -j44 -N4 /tmp/$kbd | xargs)" "1 30 0"
	# An absolute move: EV_ABS ABS_X 12345, SYN
	capture "$tab" 48 '{"execute": "input-send-event", "arguments": {"events": [{"type": "abs", "data": {"axis": "x", "value": 12345}}]}}'
	check_eq "input: tablet: first is EV_ABS ABS_X" "$(first_event /tmp/$tab)" "3 0"
	check_eq "input: tablet: at 12345" "$(event_value /tmp/$tab)" 12345
	# virtio-input-pci has 2 vectors for its config and 2 queues.
	check_eq "input: keyboard interrupt mode" "$(ng_mode 0000:00:07.0)" msix-shared
	check_eq "input: tablet interrupt mode" "$(ng_mode 0000:00:08.0)" msix-shared
}

scsi
ninep
balloon
input
vng_done
