#!/bin/sh
# virtio_blk_ng over the new virtio_pci_ng transport (modern only).
# Skipped while virtio_pci_ng does not bind the device.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,disable-legacy=on,num-queues=2,serial=png0
# vng-timeout: 420
. /vng/lib.sh
# --- virtio_blk_ng helpers (inlined in every blk-* case) ---
NGDBG=/sys/kernel/debug/virtio_blk_ng
# ng_stat DISK KEY: KEY summed over the disk's virtqueues (debugfs stats)
ng_stat() {
	awk -v k="$2" '{ for (i = 3; i <= NF; i++) { split($i, a, "=");
		if (a[1] == k) s += a[2] } } END { print s + 0 }' "$NGDBG/$1/stats"
}
# ng_op DISK OP: commands of type OP submitted (debugfs ops)
ng_op() { awk -v k="$2" '$1 == k { print $2 }' "$NGDBG/$1/ops"; }
# ng_cfg DISK KEY: a value of the debugfs config file
ng_cfg() { awk -v k="$2" '$1 == k { print $2 }' "$NGDBG/$1/config"; }
# drv_of DISK: the driver bound to the disk's virtio device
drv_of() { basename "$(readlink "/sys/block/$1/device/driver")"; }
# ng_clean DISK: no completion was rejected and no request failed
ng_clean() {
	[ "$(ng_stat "$1" errors)" = 0 ] && [ "$(ng_stat "$1" bad_len)" = 0 ] &&
		[ "$(ng_stat "$1" bad_status)" = 0 ]
}
# ng_no_complaints: the driver logged no rejected completion
ng_no_complaints() { ! dmesg | grep -q 'failing it\|refused by the ring'; }
# wait_eq FILE VALUE [S]: wait until FILE holds VALUE
wait_eq() {
	_i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$2" ]; do
		_i=$((_i + 1)); [ $_i -gt $((${3:-10} * 10)) ] && return 1
		sleep 0.1
	done
}
# --- end of helpers ---

if ! modprobe virtio_pci_ng 2>/dev/null; then
	skip "virtio_blk_ng over virtio_pci_ng" "no virtio_pci_ng module"
	vng_done
fi
bdf=$(vng_pci_virtio_devs | head -1)
if ! vng_wait_for /sys/bus/pci/devices/$bdf/driver 5 ||
   [ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" != virtio-pci-ng ]; then
	skip "virtio_blk_ng over virtio_pci_ng" "virtio_pci_ng did not bind $bdf"
	vng_done
fi
ok "virtio_pci_ng bound $bdf"
vng_load virtio_blk_ng
check "vda appears" vng_wait_for /dev/vda
check_eq "bound to virtio_blk_ng" "$(drv_of vda)" virtio_blk_ng
check_eq "serial" "$(cat /sys/block/vda/serial)" png0
check_eq "two queues" "$(ls -d /sys/block/vda/mq/* | wc -l)" 2
check "O_DIRECT write 8 MiB" vngio write /dev/vda 0 8m 51
check "O_DIRECT verify 8 MiB" vngio verify /dev/vda 0 8m 51
check "flush" vngio flush /dev/vda
check "zeroout" sh -c 'vngio zeroout /dev/vda 1m 1m && vngio zero /dev/vda 1m 1m'
check "io_uring" vngio uring /dev/vda 16m 4m 52
check "vda clean" ng_clean vda
check "no complaints in the log" ng_no_complaints
check "rmmod virtio_blk_ng" rmmod virtio_blk_ng
check "rmmod virtio_pci_ng" rmmod virtio_pci_ng
vng_done
