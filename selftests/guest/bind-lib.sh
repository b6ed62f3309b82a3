# SPDX-License-Identifier: GPL-2.0
# The binding policy (see scripts/modprobe.d/virtio-ng.conf): both pairs as
# modules, two disks, the modules loaded in every order by kmod's modprobe
# (as udev loads them, with the project's softdeps). Each round unloads all
# four, loads them in one order, and checks that the pair the kernel
# command line chose bound both disks, under stable names, without a
# failed add_disk.
#   bind_rounds WANT_PCI WANT_BLK   e.g. virtio-pci-ng virtio_blk_ng
# vng.bindrounds=N on the kernel command line repeats the whole set N times;
# vng.bindall=1 tries all 24 orders instead of four of them.

KMOD=/opt/kmod/modprobe
BIND_MODS="virtio_pci virtio_pci_ng virtio_blk virtio_blk_ng"

# The orders of the default run (all 24 with vng.bindall=1, as
# scripts/test.sh --full gives): stock first, block drivers before the
# transports, ours first, mixed.
BIND_SOME="virtio_pci virtio_blk virtio_pci_ng virtio_blk_ng
virtio_blk virtio_blk_ng virtio_pci virtio_pci_ng
virtio_pci_ng virtio_blk_ng virtio_pci virtio_blk
virtio_blk_ng virtio_pci virtio_blk virtio_pci_ng"

# bind_unload: every driver of both pairs gone
bind_unload() {
	for _bm in virtio_blk_ng virtio_blk virtio_pci_ng virtio_pci; do
		[ -d /sys/module/$_bm ] && rmmod $_bm
	done
	for _bm in $BIND_MODS; do
		[ -d /sys/module/$_bm ] && return 1
	done
	return 0
}

# bind_load ORDER: "udev" (every device's modalias, PCI then virtio) or a
# list of module names, each given to modprobe in turn
bind_load() {
	if [ "$1" = udev ]; then
		for _ba in /sys/bus/pci/devices/*/modalias; do
			$KMOD -b -q "$(cat "$_ba")"
		done
		vng_wait_for /sys/bus/virtio/devices/virtio1 10 || return 1
		for _ba in /sys/bus/virtio/devices/*/modalias; do
			$KMOD -b -q "$(cat "$_ba")"
		done
	else
		for _bm in $1; do
			$KMOD "$_bm" || return 1
		done
	fi
}

# bind_perms: every order of the four modules, one per line
bind_perms() {
	for _p1 in $BIND_MODS; do
	for _p2 in $BIND_MODS; do
	for _p3 in $BIND_MODS; do
	for _p4 in $BIND_MODS; do
		[ $_p1 != $_p2 ] && [ $_p1 != $_p3 ] && [ $_p1 != $_p4 ] &&
			[ $_p2 != $_p3 ] && [ $_p2 != $_p4 ] && [ $_p3 != $_p4 ] &&
			echo "$_p1 $_p2 $_p3 $_p4"
	done; done; done; done
}

# bind_check ORDER WANT_PCI WANT_BLK: one round's checks, one TAP line
bind_check() {
	_bo=$1 _bwp=$2 _bwb=$3 _bwhy=
	bind_unload || _bwhy="could not unload the drivers"
	_bdup0=$(dmesg | grep -c 'duplicate filename\|add_disk\|error -17')
	[ -z "$_bwhy" ] && { bind_load "$_bo" || _bwhy="a modprobe failed"; }
	[ -z "$_bwhy" ] && { vng_wait_for /sys/block/vdb 20 || _bwhy="no vdb"; }
	[ -z "$_bwhy" ] && sleep 0.5
	for _bd in vda vdb; do
		[ -n "$_bwhy" ] && break
		_bser=$(cat /sys/block/$_bd/serial 2>/dev/null)
		[ "$_bser" = "bind-$_bd" ] || _bwhy="$_bd has serial '$_bser'"
		_bdrv=$(basename "$(readlink /sys/block/$_bd/device/driver)")
		[ "$_bdrv" = "$_bwb" ] || _bwhy="$_bd bound by $_bdrv"
		_bpci=$(basename "$(readlink /sys/block/$_bd/device/../driver)")
		[ "$_bpci" = "$_bwp" ] || _bwhy="$_bd's function bound by $_bpci"
	done
	[ -z "$_bwhy" ] && [ "$(ls /sys/block | grep -c '^vd')" != 2 ] &&
		_bwhy="disks: $(ls /sys/block | grep '^vd' | tr '\n' ' ')"
	[ -z "$_bwhy" ] && [ "$(dmesg | grep -c 'duplicate filename\|add_disk\|error -17')" != "$_bdup0" ] &&
		_bwhy="a failed add_disk: $(dmesg | grep 'duplicate filename\|add_disk\|error -17' | tail -1)"
	if [ -z "$_bwhy" ]; then
		ok "order [$_bo]: $_bwp + $_bwb bind vda, vdb"
	else
		fail "order [$_bo]: $_bwhy"
		echo "# $(for _bd in /sys/block/vd*; do echo "$(basename $_bd)=$(basename "$(readlink $_bd/device/driver)")"; done | tr '\n' ' ')"
	fi
}

bind_rounds() {
	_brn=$(sed -n 's/.*vng\.bindrounds=\([0-9]*\).*/\1/p' /proc/cmdline)
	_brr=0
	check "kmod's modprobe runs" $KMOD --version
	check "the project's softdeps are installed" \
		grep -q 'softdep virtio_blk pre: virtio_blk_ng' /etc/modprobe.d/virtio-ng.conf
	while [ $_brr -lt "${_brn:-1}" ]; do
		_brr=$((_brr + 1))
		bind_check udev "$1" "$2"
		if grep -q 'vng\.bindall=1' /proc/cmdline; then
			bind_perms
		else
			printf '%s\n' "$BIND_SOME"
		fi >/tmp/bind-orders
		while read -r _bord; do
			bind_check "$_bord" "$1" "$2"
		done </tmp/bind-orders
	done
}
