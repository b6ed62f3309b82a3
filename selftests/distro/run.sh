#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real distribution boots on our drivers: Debian bookworm (systemd, udev,
# initramfs-tools, ext4 root on a virtio-blk disk) on the test kernel
# (scripts/build.sh test: its distro.config fragment has what systemd needs;
# the virtio drivers are modules that the initramfs's udev loads), so a
# run builds one kernel, not two; VNG_DISTRO_FLAVOUR=distro boots the
# debug-free distro flavour instead. The same disk image boots once per pair:
#   stock  no extra kernel argument: virtio-pci + virtio_blk must drive it
#   ng     virtio_pci_ng.preferred=1 virtio_blk_ng.preferred=1:
#          virtio-pci-ng + virtio_blk_ng must drive it
# Each boot's test service (selftests/distro/vng-distro-test.sh) checks the
# bound drivers, that systemd reached multi-user.target, the by-id link,
# fstrim, an online grow (QMP block_resize + resize2fs), then powers off;
# the host checks the poweroff was clean and runs e2fsck -fn on the image.
# Prints TAP and "distro: N passed, N failed"; exits non-zero on failure.
#   selftests/distro/run.sh [PAIR...]      (default: stock ng)
# VNG_DISTRO_NOBUILD=1 uses the built kernel as it is (no scripts/build.sh).
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

pairs=("$@")
[ ${#pairs[@]} -gt 0 ] || pairs=(stock ng)
need_pkgs qemu-system-x86 qemu-utils python3 e2fsprogs
# VNG_QEMU=10.0 boots it on QEMU 10.0 (see scripts/boot.sh).
qemu=$(qemu_bin) || die "no QEMU for VNG_QEMU=${VNG_QEMU:-}"
echo "# qemu: $(qemu_desc "$qemu")"

flavour=${VNG_DISTRO_FLAVOUR:-test}
out=$KOUT/$flavour
# The test kernel's kmemleak is off unless asked for, as in selftests/run.sh.
km=
grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$out/.config" 2>/dev/null && km=kmemleak=off
logdir=$BUILD/logs
mkdir -p "$logdir"
passed=0 failed=0 n=0 times=()
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
finish() {
	echo "# ---- distro timings ----"
	printf '# %s\n' "${times[@]}"
	echo "distro: $passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}
timed() { # NAME CMD...: run, record its time
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	"$@"
	rc=$?
	times+=("$(printf '%-22s %4d s' "$name" $(($(date +%s) - t0)))")
	return $rc
}

if [ -z "${VNG_DISTRO_NOBUILD:-}" ]; then
	if timed "kernel build" "$TOP/scripts/build.sh" "$flavour" >"$logdir/distro-build.log" 2>&1; then
		ok "$flavour kernel builds"
	else
		tail -n 20 "$logdir/distro-build.log" | sed 's/^/# /'
		nok "$flavour kernel builds"
		finish
	fi
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$out/.config" && km=kmemleak=off
fi
timed "rootfs + image" "$TOP/selftests/distro/mkimage.sh" "$out" >"$logdir/distro-image.out" \
	2>"$logdir/distro-image.log"
img=$(tail -n 1 "$logdir/distro-image.out")
if [ -n "$img" ] && [ -f "$img/disk.img" ]; then
	ok "bookworm image and initramfs made (update-initramfs in the rootfs)"
	sed 's/^/# initramfs: /' "$img/initrd-virtio.txt" 2>/dev/null
else
	tail -n 20 "$logdir/distro-image.log" | sed 's/^/# /'
	nok "bookworm image and initramfs made"
	finish
fi

# One disk for every boot of this run: the second boot starts from what the
# first one's poweroff left (fsck'ed by the host in between).
disk=$img/run.img
cp --sparse=always "$img/disk.img" "$disk"
serial=vng-root-1234
work=$(mktemp -d /tmp/vng-distro.XXXXXX)
trap 'rm -rf "$work"' EXIT

for pair in "${pairs[@]}"; do
	case $pair in
	stock) kargs="" ;;
	ng) kargs="virtio_pci_ng.preferred=1 virtio_blk_ng.preferred=1" ;;
	*) die "unknown pair $pair (stock, ng)" ;;
	esac
	log=$logdir/distro-$pair.log
	echo "# boot: $pair pair${kargs:+ ($kargs)}"
	t0=$(date +%s)
	"$TOP/scripts/vng-qemu.py" --log "$log" --timeout 420 --boot-timeout 400 \
		--exit-grace 60 --qmp "$work/qmp.sock" --note "# host: qemu: $(qemu_desc "$qemu")" -- \
		timeout -k 5 450 "$qemu" -M q35 -accel tcg -cpu max,la57=off \
		-smp 2 -m 1G -nodefaults -display none -no-reboot -serial stdio \
		-qmp "unix:$work/qmp.sock,server=on,wait=off" \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "console=ttyS0 root=/dev/vda ro panic=-1 loglevel=4 vng.expect=$pair vng.serial=$serial $km $kargs" \
		-drive "if=none,id=root,file=$disk,format=raw,discard=unmap" \
		-device "virtio-blk-pci,drive=root,disable-legacy=on,serial=$serial" \
		2>"$work/err"
	rc=$?
	dt=$(($(date +%s) - t0))
	times+=("$(printf '%-22s %4d s' "boot $pair" $dt)")
	# The guest's checks, renumbered into ours.
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$pair: ${line#ok * - }" ;;
		"not ok "*) nok "$pair: ${line#not ok * - }" ;;
		"# "*) echo "    $line" ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+ - |^# ' "$log" | grep -av '^# host: QMP reply {"return"')
	grep -aq '^ok [0-9]* - root disk driven by' "$log" ||
		nok "$pair: the guest reported which driver drives the root disk"
	sed 's/^/    # /' "$work/err"
	grep -a '^# host:' "$log" | grep -av 'QMP reply {"return"' | sed 's/^/    /'
	if [ $rc -eq 0 ]; then
		ok "$pair: guest finished (exit 0, ${dt} s)"
	else
		nok "$pair: guest finished (exit $rc, ${dt} s; log $log)"
	fi
	if grep -aq 'reboot: Power down' "$log" && ! grep -aq 'did not reboot after' "$log"; then
		ok "$pair: clean poweroff"
	else
		nok "$pair: clean poweroff"
	fi
	if e2fsck -fn "$disk" >"$work/fsck" 2>&1; then
		ok "$pair: e2fsck -fn of the image after poweroff: clean"
	else
		sed 's/^/    # /' "$work/fsck"
		nok "$pair: e2fsck -fn of the image after poweroff: clean"
	fi
	echo "    # $(tail -n 1 "$work/fsck")"
done
finish
