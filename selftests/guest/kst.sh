# SPDX-License-Identifier: GPL-2.0
# Sourced by the kst-*.sh cases, after lib.sh. Runs the kernel tree's
# virtio-blk kselftests (tools/testing/selftests/drivers/block/virtio_blk,
# built by scripts/build-kselftests.sh, in /usr/lib/kselftests in the guest)
# once per virtio driver pair, and turns each of their TAP results into a
# lib.sh check (a kselftest SKIP stays a skip).
#
#   kst_pairs             print the TRANSPORT:BLK driver pairs to test, one a
#                         line: $KST_COMBOS if set (comma or space separated;
#                         a KST_COMBOS=... kernel argument sets it), else
#                         virtio_pci:virtio_blk_ng and
#                         virtio_pci_ng:virtio_blk_ng when the modules exist,
#                         preceded by the stock virtio_pci:virtio_blk (the
#                         reference the tests are checked against) when
#                         KST_STOCK=1 (a case that always wants it sets it;
#                         scripts/test.sh --full passes it to every case)
#   kst_load PAIR [PARAM..]  load the pair, PARAMs go to the blk driver; on
#                         failure records a failed check and returns 1
#   kst_unload            unload the pair kst_load loaded
#   kst_disk SERIAL       print the disk (vdX) whose serial is SERIAL
#   kst_dma_cell PAIR SERIAL WHAT  the DMA-path cell of kst-swiotlb and
#                         kst-iommu (below)
#   kst_run TAG PROG [VAR=VALUE..] [-- ARG..]
#                         run kselftest PROG with VBLK_DRIVER (the blk driver
#                         loaded) and the VARs in its environment, and the
#                         ARGs (e.g. -t TEST: only that test) on its command
#                         line; its output
#                         is shown as TAP diagnostics, each of its results
#                         becomes a check "TAG PROG: test"

KST_DIR=${KST_DIR:-/usr/lib/kselftests/drivers/block/virtio_blk}
KST_TRANSPORT=
KST_BLK=

kst_pairs() {
	if [ -n "${KST_COMBOS:-}" ]; then
		echo "$KST_COMBOS" | tr ', ' '\n\n' | grep .
		return 0
	fi
	[ "${KST_STOCK:-0}" = 1 ] && echo virtio_pci:virtio_blk
	if modinfo virtio_blk_ng >/dev/null 2>&1; then
		echo virtio_pci:virtio_blk_ng
		modinfo virtio_pci_ng >/dev/null 2>&1 &&
			echo virtio_pci_ng:virtio_blk_ng
	fi
	return 0
}

kst_load() {
	KST_TRANSPORT=${1%%:*}
	KST_BLK=${1#*:}
	shift
	echo "# loading $KST_TRANSPORT + $KST_BLK $*"
	if ! modprobe "$KST_TRANSPORT"; then
		fail "modprobe $KST_TRANSPORT"
		return 1
	fi
	if ! modprobe "$KST_BLK" "$@"; then
		fail "modprobe $KST_BLK $*"
		rmmod "$KST_TRANSPORT"
		return 1
	fi
	return 0
}

kst_unload() {
	rmmod "$KST_BLK" || fail "rmmod $KST_BLK"
	rmmod "$KST_TRANSPORT" || fail "rmmod $KST_TRANSPORT"
}

kst_disk() {
	_i=0
	while [ $_i -lt 100 ]; do
		for _d in /sys/block/vd*; do
			# read, not $(cat): a fork is slow in the debug guest;
			# the serial has no newline, so read "fails" at its end.
			_s=
			read -r _s 2>/dev/null <"$_d/serial"
			if [ "$_s" = "$1" ]; then
				echo "${_d##*/}"
				return 0
			fi
		done
		_i=$((_i + 1))
		sleep 0.1
	done
	echo "# no disk with serial $1 (driver $KST_BLK):" >&2
	ls /sys/block >&2
	return 1
}

# kst_results FILE: the kselftest's TAP in FILE as one line per result,
# "P|name", "S|name|why" or "F|name" ("ok 3 vblk.name # SKIP why" -> name
# and why), and "N|count" for its plan. One awk for the whole output: a
# fork per result line cost seconds per run in the debug guest.
kst_results() {
	awk '
	function name(l) {
		sub(/^(not )?ok [0-9]* /, "", l)
		sub(/ # .*/, "", l)
		sub(/^vblk\./, "", l)
		return l
	}
	/^1\.\.[0-9]+$/ && !plan { plan = 1; print "N|" substr($0, 4); next }
	/^not ok / { print "F|" name($0); next }
	/^ok .*# SKIP/ { why = $0; sub(/.*# SKIP /, "", why); print "S|" name($0) "|" why; next }
	/^ok / { print "P|" name($0) }
	' "$1"
}

# kst_now: hundredths of a second since boot in $_now (no fork)
kst_now() {
	read -r _up _ </proc/uptime
	_now=${_up%.*}${_up#*.}
}

kst_run() {
	_tag=$1 _prog=$2
	shift 2
	_bin=$KST_DIR/$_prog
	if [ ! -x "$_bin" ]; then
		fail "$_tag $_prog: not installed (scripts/build-kselftests.sh)"
		return 1
	fi
	_args= _argv=
	for _a in "$@"; do
		# The resize command asks the host for QMP: never echo it.
		case $_a in VBLK_RESIZE_CMD=*) _a="VBLK_RESIZE_CMD=..." ;; esac
		_args="$_args $_a"
	done
	echo "# $_tag: $_prog$_args"
	# VAR=VALUE.. stay in "$@"; the words after "--" go to $_argv (simple
	# words such as "-t NAME": split on spaces).
	_n=$# _i=0 _seen=
	while [ $_i -lt "$_n" ]; do
		_a=$1
		shift
		_i=$((_i + 1))
		if [ -n "$_seen" ]; then
			_argv="$_argv $_a"
		elif [ "$_a" = "--" ]; then
			_seen=1
		else
			set -- "$@" "$_a"
		fi
	done
	rm -f /tmp/kst.rc
	kst_now
	_t0=$_now
	{
		# shellcheck disable=SC2086
		env VBLK_DRIVER="$KST_BLK" "$@" "$_bin" $_argv
		echo $? >/tmp/kst.rc
	} 2>&1 | tee /tmp/kst.out | sed 's/^/#   /'
	read -r _rc 2>/dev/null </tmp/kst.rc || _rc=none

	kst_now
	echo "# $_tag: $_prog took $(((_now - _t0) / 100)) s"

	_n=0 _bad=0 _plan=
	kst_results /tmp/kst.out >/tmp/kst.res
	while IFS='|' read -r _k _name _why; do
		case $_k in
		N) _plan=$_name; continue ;;
		F) fail "$_tag $_prog: $_name"; _bad=$((_bad + 1)) ;;
		S) skip "$_tag $_prog: $_name" "$_why" ;;
		P) ok "$_tag $_prog: $_name" ;;
		*) continue ;;
		esac
		_n=$((_n + 1))
	done </tmp/kst.res
	if [ "$_n" -eq 0 ] || [ "$_n" != "${_plan:-x}" ]; then
		fail "$_tag $_prog: $_n results for a plan of ${_plan:-none}"
	elif [ "$_rc" != 0 ] && [ $_bad -eq 0 ]; then
		fail "$_tag $_prog: exit status $_rc"
	fi
	[ "$_rc" = 0 ]
}

# kst_std_tests TAG DISK SERIAL TEST...: each kselftest TEST on DISK, a
# 64 MiB image behind QEMU's virtio-blk defaults (512-byte blocks, 2
# queues of 128, discard and write zeroes at 1 MiB, write back)
kst_std_tests() {
	# Names of their own: kst_run's variables are global too.
	_std_tag=$1 _std_disk=$2 _std_ser=$3
	shift 3
	for _std_test in "$@"; do
		kst_run "$_std_tag" "$_std_test" VBLK_DISK="$_std_disk" \
			VBLK_SERIAL="$_std_ser" VBLK_RO=0 \
			VBLK_SIZE_BYTES=67108864 VBLK_LBS=512 VBLK_PBS=512 \
			VBLK_QUEUE_SIZE=128 VBLK_MAX_SEGMENTS=126 \
			VBLK_DISCARD=1 VBLK_DISCARD_MAX_BYTES=1048576 \
			VBLK_WRITE_ZEROES=1 \
			VBLK_WRITE_ZEROES_MAX_BYTES=1048576 \
			"VBLK_CACHE=write back"
	done
}

# kst_dma_cell PAIR SERIAL WHAT: the DMA-path cell of kst-swiotlb and
# kst-iommu on the standard disk SERIAL (kst_std_tests): vblk_io,
# vblk_flush and a fio crc32c verify whose check says the data went
# "through WHAT"
kst_dma_cell() {
	_dma_pair=$1 _ser=$2 _what=$3
	if ! _dma_disk=$(kst_disk "$_ser"); then
		fail "$_dma_pair: disk $_ser appears"
		return 1
	fi
	kst_std_tests "$_dma_pair" "$_dma_disk" "$_ser" vblk_io vblk_flush
	check "$_dma_pair: fio --verify=crc32c through $_what" \
		fio --name=dma --filename=/dev/$_dma_disk --direct=1 \
		--ioengine=io_uring --rw=randwrite --bs=4k-256k \
		--iodepth=16 --size=16m --verify=crc32c --verify_fatal=1 \
		--output=/dev/null
}
