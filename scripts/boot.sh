#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel under QEMU (TCG) and run a script in the guest.
#
#   scripts/boot.sh [-f FLAVOUR] [-t SECS] [-M MACHINE] [-q "QEMU ARGS"]
#                   [-k "KERNEL ARGS"] [-p "HOST CMD"] [-n NAME] GUEST_SCRIPT
#
# The kernel is build/out/$VNG_OUT, or build/out/FLAVOUR (default test).
# QEMU ARGS may use @DISK0@..@DISK3@ (fresh 64 MiB raw files), @FILE0@..@FILE3@
# (empty host files) and @QMP@ (the QMP socket). The host command of -p runs
# after the guest exits, with the same placeholders. Exit status: the guest
# script's; 124 timeout, 123 no status, 125 kernel splat, 122 -p failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=test timeout=300 machine=pc qargs="" kargs="" post="" name=""
while getopts "f:t:M:q:k:p:n:h" o; do
	case $o in
	f) flavour=$OPTARG ;;
	t) timeout=$OPTARG ;;
	M) machine=$OPTARG ;;
	q) qargs="$qargs $OPTARG" ;;
	k) kargs="$kargs $OPTARG" ;;
	p) post=$OPTARG ;;
	n) name=$OPTARG ;;
	*) sed -n '3,14p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '3,14p' "$0"; exit 2; }
script=$1
[ -f "$script" ] || die "no guest script $script"
[ -n "$name" ] || name=$(basename "$script" .sh)

need_pkgs qemu-system-x86 qemu-utils python3
out=$KOUT/${VNG_OUT:-$flavour}
kernel=$out/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel; run scripts/build.sh $flavour"
base=$("$TOP/scripts/mkinitramfs.sh" "$out")

work=$(mktemp -d /tmp/vng-boot.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/vng"
cp "$script" "$work/root/vng/run.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/script.cpio.gz"
cat "$base" "$work/script.cpio.gz" >"$work/initrd"

subst() {
	local s=$1 i
	for i in 0 1 2 3; do
		s=${s//@DISK$i@/$work/disk$i.img}
		s=${s//@FILE$i@/$work/file$i}
	done
	echo "${s//@QMP@/$work/qmp.sock}"
}
for i in 0 1 2 3; do
	truncate -s 64M "$work/disk$i.img"
	: >"$work/file$i"
done

case $machine in
microvm) mopts=(-M microvm,acpi=on,rtc=on -no-acpi) ;;
*) mopts=(-M "$machine") ;;
esac
# microvm with acpi=on must not get -no-acpi
[ "$machine" = microvm ] && mopts=(-M microvm,rtc=on)

logdir=$BUILD/logs
mkdir -p "$logdir"
log=$logdir/$name.log
# shellcheck disable=SC2046
set +e
"$TOP/scripts/vng-qemu.py" --log "$log" --timeout "$timeout" --qmp "$work/qmp.sock" -- \
	timeout -k 5 $((timeout + 30)) qemu-system-x86_64 "${mopts[@]}" -accel tcg -cpu max \
	-smp "${VNG_SMP:-2}" -m "${VNG_MEM:-1G}" -nodefaults -display none -no-reboot \
	-serial stdio -qmp "unix:$work/qmp.sock,server=on,wait=off" \
	-kernel "$kernel" -initrd "$work/initrd" \
	-append "console=ttyS0 reboot=k panic=-1 oops=panic loglevel=5 $(subst "$kargs")" \
	$(subst "$qargs")
rc=$?
set -e
if [ $rc -eq 0 ] && [ -n "$post" ]; then
	if ! (cd "$work" && eval "$(subst "$post")") >>"$log" 2>&1; then
		echo "host check failed: $post" >&2
		rc=122
	fi
fi
exit $rc
