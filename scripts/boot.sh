#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel under QEMU (TCG) and run a script in the guest.
#
#   scripts/boot.sh [-f FLAVOUR] [-t SECS] [-M MACHINE] [-q "QEMU ARGS"]
#                   [-k "KERNEL ARGS"] [-p "HOST CMD"] [-n NAME]
#                   [-u "VHOST-USER-BAD ARGS"]... [-N DISK]... [-H]
#                   [-R "KERNEL ARGS"] GUEST_SCRIPT
#
# The kernel is build/out/$VNG_OUT, or build/out/FLAVOUR (default test).
# $VNG_EXTRA_INITRD, if set, is a list of cpio (or cpio.gz) files appended to the
# guest's initramfs.
# QEMU ARGS may use @DISK0@..@DISK7@ (fresh 64 MiB raw files), @FILE0@..@FILE3@
# (empty host files), @DIR0@ (an empty host directory, for virtio-9p) and
# @QMP@ (the QMP socket). The host command of -p runs
# after the guest exits, with the same placeholders. Each -u starts a
# selftests/vhost-user-bad back-end before QEMU (on socket @VHOST0@..@VHOST7@;
# @VHOST@ is @VHOST0@; its log is vhost0.log.. in the -p command's directory)
# and gives the guest shared memory. Each -N I serves @DISKI@ through
# selftests/tools/nbd-stall.py on socket @NBDI@ (QEMU: file.driver=nbd,
# file.server.type=unix,file.server.path=@NBDI@); the guest sets its
# stalls with "VNG-HOST: nbdI COMMAND" lines. Exit status: the guest script's;
# 124 timeout, 123 no status, 125 kernel splat, 122 -p failed,
# 121 a vhost-user back-end failed, 126 the guest did not reach /init.
# -H: the guest may see PCI hotplug (QMP device_add/device_del); without it
# the pc machine has none.
# VNG_QEMU picks the QEMU: unset, the system's (Debian 12's 7.2); 7.2 or
# 10.0 (fetched beside it by scripts/get-qemu.sh), or a path. The log's
# first line says which ran ("# host: qemu: VERSION PATH").
# -R: a guest that prints "VNG-HIBERNATED" and then powers off without an
# exit status (hibernation to a swap disk) is booted once more on the same
# disks with these kernel arguments added, so that it can resume from its
# image; the second boot's log is appended to the first ("# host: resume
# boot") and its status is the case's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=test timeout=300 machine=pc qargs="" kargs="" post="" name="" vus=() nbds=() hotplug=
rargs=
while getopts "f:t:M:q:k:p:n:u:N:R:Hh" o; do
	case $o in
	f) flavour=$OPTARG ;;
	t) timeout=$OPTARG ;;
	M) machine=$OPTARG ;;
	q) qargs="$qargs $OPTARG" ;;
	k) kargs="$kargs $OPTARG" ;;
	p) post=$OPTARG ;;
	n) name=$OPTARG ;;
	u) vus+=("$OPTARG") ;;
	N) nbds+=("$OPTARG") ;;
	H) hotplug=1 ;;
	R) rargs=$OPTARG ;;
	*) sed -n '3,33p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '3,33p' "$0"; exit 2; }
script=$1
[ -f "$script" ] || die "no guest script $script"
[ -n "$name" ] || name=$(basename "$script" .sh)

# VNG_ARCH=arm64: QEMU's virt machine (GICv3 with ITS, PCIe), PL011 console.
console=ttyS0
if [ "$VNG_ARCH" = arm64 ]; then
	need_pkgs qemu-system-arm qemu-utils python3
	[ "$machine" = pc ] && machine=virt
	console=ttyAMA0
else
	need_pkgs qemu-system-x86 qemu-utils python3
fi
qemu=$(qemu_bin) || die "no QEMU for VNG_QEMU=${VNG_QEMU:-}"
out=$KOUT/${VNG_OUT:-$flavour}
kernel=$out/arch/x86/boot/bzImage
[ "$VNG_ARCH" = arm64 ] && kernel=$out/arch/arm64/boot/Image
[ -f "$kernel" ] || die "no kernel at $kernel; run scripts/build.sh $flavour"
base=$("$TOP/scripts/mkinitramfs.sh" "$out")

work=$(mktemp -d /tmp/vng-boot.XXXXXX)
vu_pids=() nbd_pids=()
trap 'set +e; vu_stop >/dev/null 2>&1; nbd_stop; rm -rf "$work"' EXIT
mkdir -p "$work/root/vng"
cp "$script" "$work/root/vng/run.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet) >"$work/script.cpio"
cat "$base" "$work/script.cpio" >"$work/initrd"
# Opt-in extra files for the guest (scripts/bench.sh: fio and its helpers).
for f in ${VNG_EXTRA_INITRD:-}; do
	cat "$f" >>"$work/initrd"
done

subst() {
	local s=$1 i
	for i in 0 1 2 3 4 5 6 7; do
		s=${s//@DISK$i@/$work/disk$i.img}
		s=${s//@FILE$i@/$work/file$i}
	done
	s=${s//@DIR0@/$work/dir0}
	for i in 0 1 2 3 4 5 6 7; do
		s=${s//@VHOST$i@/$work/vhost$i.sock}
	done
	s=${s//@VHOST@/$work/vhost0.sock}
	for i in 0 1 2 3 4 5 6 7; do
		s=${s//@NBD$i@/$work/nbd$i.sock}
	done
	echo "${s//@QMP@/$work/qmp.sock}"
}

# vhost-user back-ends (-u): started before QEMU, stopped after it.
vu_start() {
	local i=0 a w
	[ ${#vus[@]} -gt 0 ] || return 0
	need_pkgs gcc make
	# (SANITIZE=1 in the environment builds it with ASan and UBSan.)
	mkdir -p "$BUILD/vhost-user-bad"
	flock "$BUILD/vhost-user-bad" \
		make -s -C "$TOP/selftests/vhost-user-bad" OUT="$BUILD/vhost-user-bad" >"$log" 2>&1 ||
		{ cat "$log" >&2; die "cannot build selftests/vhost-user-bad"; }
	for a in "${vus[@]}"; do
		# The arguments are shell words (quotes allowed), then placeholders.
		eval "set -- $(subst "$a")"
		"$BUILD/vhost-user-bad/vhost-user-bad" --socket "$work/vhost$i.sock" "$@" \
			2>"$work/vhost$i.log" &
		vu_pids+=($!)
		for w in $(seq 100); do
			[ -S "$work/vhost$i.sock" ] && break
			kill -0 "${vu_pids[$i]}" 2>/dev/null || break
			sleep 0.1
		done
		if [ ! -S "$work/vhost$i.sock" ]; then
			tee -a "$log" <"$work/vhost$i.log" >&2
			die "vhost-user back-end $i did not start"
		fi
		i=$((i + 1))
	done
	# vhost-user needs guest RAM the back-end can map.
	qargs="$qargs -object memory-backend-memfd,id=vng-mem,size=${VNG_MEM:-1G},share=on"
}

# Stop the back-ends (SIGTERM: they print statistics) and keep their logs
# in the case log; fails if one died on its own with an error.
vu_stop() {
	local i st bad=0
	for i in "${!vu_pids[@]}"; do
		if kill -0 "${vu_pids[$i]}" 2>/dev/null; then
			kill -TERM "${vu_pids[$i]}" 2>/dev/null
			for st in $(seq 50); do
				kill -0 "${vu_pids[$i]}" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "${vu_pids[$i]}" 2>/dev/null
		fi
		wait "${vu_pids[$i]}"
		st=$?
		if [ -n "${log:-}" ]; then
			sed "s/^/# host: vhost-user$i: /" "$work/vhost$i.log" >>"$log"
			echo "# host: vhost-user$i: exit status $st" >>"$log"
		fi
		[ $st -eq 0 ] || bad=1
	done
	vu_pids=()
	return $bad
}
# NBD servers with stallable storage (-N): started before QEMU.
nbd_start() {
	local i w
	for i in "${nbds[@]}"; do
		python3 "$TOP/selftests/tools/nbd-stall.py" --file "$work/disk$i.img" \
			--socket "$work/nbd$i.sock" --control "$work/nbd$i.ctl" \
			2>"$work/nbd$i.log" &
		nbd_pids+=($!)
		for w in $(seq 100); do
			[ -S "$work/nbd$i.ctl" ] && break
			sleep 0.1
		done
		[ -S "$work/nbd$i.ctl" ] || die "NBD server $i did not start"
	done
}

# Stop them; their logs go into the case log.
nbd_stop() {
	local p i
	for p in "${nbd_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	nbd_pids=()
	for i in "${nbds[@]}"; do
		[ -f "$work/nbd$i.log" ] && [ -n "${log:-}" ] &&
			sed "s/^/# host: nbd$i: /" "$work/nbd$i.log" >>"$log"
		rm -f "$work/nbd$i.log"
	done
	return 0
}

for i in 0 1 2 3 4 5 6 7; do
	truncate -s 64M "$work/disk$i.img"
done
for i in 0 1 2 3; do
	: >"$work/file$i"
done
mkdir -p "$work/dir0"

case $machine in
microvm) mopts=(-M microvm,acpi=on,rtc=on -no-acpi) ;;
virt) mopts=(-M virt,gic-version=3) ;;
*) mopts=(-M "$machine") ;;
esac
# microvm with acpi=on must not get -no-acpi
[ "$machine" = microvm ] && mopts=(-M microvm,rtc=on)
[ ${#vus[@]} -gt 0 ] && mopts[1]="${mopts[1]},memory-backend=vng-mem"
# On pc, PCI INTx routing from the BIOS table rather than ACPI: the PIIX
# _PRT method loops over 128 entries, and under TCG the debug kernel's AML
# interpreter hits ACPICA's 30 s loop timeout for each function it enables
# (a minute per case with two disks). The $PIR table routes INTx just as
# well (pci-ng-blk-irq runs a vectors=0 function); ACPI hotplug is
# unaffected. VNG_ACPI_IRQ=1 keeps ACPI routing.
[ "$machine" = pc ] && [ -z "${VNG_ACPI_IRQ:-}" ] && kargs="acpi=noirq $kargs"
# The cases load the drivers they test by hand and expect them to bind
# whatever is free, as both pairs did before the binding policy: prefer
# ours (a case's own -k or vng-kernel-args, later on the line, wins).
kargs="virtio_pci_ng.preferred=1 virtio_blk_ng.preferred=1 $kargs"
# ACPI PCI hotplug costs the pc guest ~7 s of its boot (the AML of 31
# hotplug slots, parsed and walked by the debug kernel under TCG): only the
# cases that plug or unplug devices (-H) get it.
[ "$machine" = pc ] && [ -z "$hotplug" ] &&
	mopts+=(-global PIIX4_PM.acpi-root-pci-hotplug=off)

# -cpu max without LA57: Linux 7.3 clears boot_cpu_data's capabilities in
# identify_cpu() with interrupts on, and KASAN, asked about an address in
# an interrupt in that window, then takes the 5-level direct map for a
# 4-level one ("BUG: KASAN: wild-memory-access in rcu_is_watching" from
# common_interrupt during identify_cpu, in about one boot of 20). Not ours;
# 4-level paging avoids it.
cpu=max,la57=off
[ "$VNG_ARCH" = arm64 ] && cpu=max
# microvm has no keyboard controller to reboot through: triple fault (with
# -no-reboot QEMU then exits) instead of waiting to be killed.
reboot=k
[ "$machine" = microvm ] && reboot=t
# microvm has no HPET and no ACPI PM timer: when the PIT calibration of the
# TSC fails (TCG timing is jittery), the kernel marks the TSC unstable and
# hangs at time 0. Under TCG the guest's TSC is the host's: tell the kernel
# its frequency so that it does not calibrate.
if [ "$machine" = microvm ]; then
	khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
	[ -n "$khz" ] && kargs="tsc_early_khz=$khz $kargs"
fi

logdir=$BUILD/logs
mkdir -p "$logdir"
log=$logdir/$name.log
vu_start
nbd_start
# run_qemu LOG [KERNEL ARGS]: one boot of the guest
run_qemu() {
	# shellcheck disable=SC2046 # QEMU ARGS: words on purpose
	"$TOP/scripts/vng-qemu.py" --log "$1" --timeout "$timeout" --qmp "$work/qmp.sock" \
		--ctl-dir "$work" --note "# host: qemu: $(qemu_desc "$qemu")" -- \
		timeout -k 5 $((timeout + 30)) "$qemu" "${mopts[@]}" -accel tcg -cpu "$cpu" \
		-smp "${VNG_SMP:-2}" -m "${VNG_MEM:-1G}" -nodefaults -display none -no-reboot \
		-serial stdio -qmp "unix:$work/qmp.sock,server=on,wait=off" \
		-kernel "$kernel" -initrd "$work/initrd" \
		-append "console=$console reboot=$reboot panic=-1 oops=panic loglevel=5 no_timer_check $(subst "$kargs") ${2:-}" \
		$(subst "$qargs")
}
set +e
run_qemu "$log"
rc=$?
# -R: the guest hibernated (no exit status, 123): boot it again to resume.
if [ $rc -eq 123 ] && [ -n "$rargs" ] && grep -q '^VNG-HIBERNATED' "$log"; then
	echo "# host: resume boot (kernel arguments: $rargs)" >>"$log"
	run_qemu "$log.resume" "$rargs"
	rc=$?
	cat "$log.resume" >>"$log"
	rm -f "$log.resume"
fi
nbd_stop
if ! vu_stop && [ $rc -eq 0 ]; then
	echo "a vhost-user back-end failed; see $log" >&2
	rc=121
fi
set -e
if [ $rc -eq 0 ] && [ -n "$post" ]; then
	if ! (cd "$work" && eval "$(subst "$post")") >>"$log" 2>&1; then
		echo "host check failed: $post" >&2
		rc=122
	fi
fi
exit $rc
