# SPDX-License-Identifier: GPL-2.0
# Sourced by every guest script (/vng/lib.sh in the guest). Prints TAP.
#
#   ok DESC                 record a pass
#   fail DESC               record a failure
#   check DESC CMD [ARG..]  run CMD; pass if it exits 0 (its output is shown
#                           as TAP diagnostics on failure)
#   check_eq DESC GOT WANT  pass if the two strings are equal
#   skip DESC REASON        record a skip (counted as skipped, never as passed)
#   vng_load MOD...         modprobe, failing the script if it cannot
#   vng_unload MOD...       rmmod
#   vng_pci_virtio_devs     print the BDFs of virtio PCI devices (vendor 1af4)
#   vng_pci_rebind DRV BDF  move a PCI device to driver DRV (driver_override)
#   vng_wait_for PATH [S]   wait up to S seconds (default 10) for PATH to exist
#   vng_disk_by_serial SER  set D (vdX), V (virtioN) and DRV (its driver) of
#                           the disk with that serial; D empty if none
#   vng_done                print the plan line and exit 1 if anything failed
# Helpers that need a device name take it from $VNG_DISK (default vda).

VNG_N=0
VNG_FAILED=0
VNG_SKIPPED=0
VNG_DISK=${VNG_DISK:-vda}

ok() {
	VNG_N=$((VNG_N + 1))
	echo "ok $VNG_N - $*"
}

fail() {
	VNG_N=$((VNG_N + 1))
	VNG_FAILED=$((VNG_FAILED + 1))
	echo "not ok $VNG_N - $*"
}

skip() {
	VNG_N=$((VNG_N + 1))
	VNG_SKIPPED=$((VNG_SKIPPED + 1))
	echo "ok $VNG_N - $1 # SKIP $2"
}

check() {
	_desc=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_desc"
	else
		_rc=$?
		fail "$_desc"
		echo "$_out" | tail -n 20 | sed 's/^/# /'
		echo "# exit status $_rc: $*"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		echo "# got '$2', want '$3'"
	fi
}

vng_load() {
	for _m in "$@"; do
		modprobe "$_m" || { fail "modprobe $_m"; vng_done; }
	done
}

vng_unload() {
	for _m in "$@"; do
		rmmod "$_m" || fail "rmmod $_m"
	done
}

vng_pci_virtio_devs() {
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor")" = 0x1af4 ] && basename "$_d"
	done
	return 0
}

vng_pci_rebind() {
	_drv=$1 _bdf=$2 _p=/sys/bus/pci/devices/$2
	[ -e "$_p/driver" ] && echo "$_bdf" >"$_p/driver/unbind"
	echo "$_drv" >"$_p/driver_override"
	echo "$_bdf" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$_p/driver")")" = "$_drv" ]
}

vng_disk_by_serial() {
	D= V= DRV=
	for _b in /sys/block/vd*; do
		[ -e "$_b/serial" ] || continue
		_s=
		read -r _s <"$_b/serial" || :
		[ "$_s" = "$1" ] || continue
		D=${_b##*/}
		_l=$(readlink "$_b/device")
		V=${_l##*/}
		_l=$(readlink "$_b/device/driver")
		DRV=${_l##*/}
	done
}

vng_wait_for() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# vng_query_block: ask QEMU for its block state (QMP query-block; the
# reply lands in the case log for a vng-post check, see
# selftests/tools/qmp-writeback.py). QEMU answers asynchronously: give it
# time before anything changes again.
vng_query_block() {
	echo 'VNG-QMP: {"execute": "query-block"}'
	sleep 3
}

vng_done() {
	echo "1..$VNG_N"
	echo "# $((VNG_N - VNG_FAILED - VNG_SKIPPED)) passed, $VNG_FAILED failed, $VNG_SKIPPED skipped"
	[ $VNG_FAILED -eq 0 ] || exit 1
	exit 0
}

# pci_cmd_word BDF [VALUE]: read (or write) a PCI function's 16-bit COMMAND
# register through sysfs config (bit 2: bus mastering), as blktests
# block/011 does with setpci
pci_cmd_word() {
	_cfg=/sys/bus/pci/devices/$1/config
	if [ $# -eq 1 ]; then
		od -An -tu2 -j4 -N2 "$_cfg" | tr -d ' '
	else
		# little-endian, two bytes at offset 4
		printf "$(printf '\\%03o\\%03o' $(($2 & 255)) $(($2 >> 8)))" |
			dd of="$_cfg" bs=1 seek=4 count=2 conv=notrunc 2>/dev/null
	fi
}
