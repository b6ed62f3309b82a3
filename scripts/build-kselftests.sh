#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel tree's virtio-blk kselftests, statically linked, and
# install them (kselftest "install" layout) into build/kselftests/, which
# scripts/mkinitramfs.sh copies to /usr/lib/kselftests/ in the guest.
#
#   scripts/build-kselftests.sh [-f]     (-f: rebuild even if up to date)
#
# Objects and the tree's UAPI headers go to build/kselftests-obj/. Nothing is
# written into the kernel tree. Returns at once when nothing changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

force=0
[ "${1:-}" = "-f" ] && force=1
targets=${KST_TARGETS:-drivers/block/virtio_blk}
sel=$KSRC/tools/testing/selftests
obj=$BUILD/kselftests-obj
dest=$BUILD/kselftests
stamp=$dest/.built

for t in $targets; do
	[ -d "$sel/$t" ] || die "no $sel/$t in the kernel tree"
done

mkdir -p "$BUILD"
exec 9>"$BUILD/.kselftests.lock"
flock 9

# Up to date: no test source, harness file or this script newer than the
# last install.
if [ $force -eq 0 ] && [ -f "$stamp" ]; then
	srcs=()
	for t in $targets; do srcs+=("$sel/$t"); done
	newer=$(find "${srcs[@]}" "$sel/lib.mk" "$sel/kselftest.h" \
		"$sel/kselftest_harness.h" "$0" -newer "$stamp" 2>/dev/null | head -1)
	if [ -z "$newer" ]; then
		exit 0
	fi
fi

need_pkgs gcc make rsync
log "kselftests: $targets"
mkdir -p "$obj"
# The tests use this tree's UAPI (linux/io_uring.h, linux/fs.h, ...).
make -s -C "$KSRC" O="$obj" ARCH=x86_64 headers >/dev/null
rm -rf "$dest.tmp"
# VBLK_STATIC=1: the Makefile links with -static (busybox guest, no libc).
make -s -C "$sel" O="$obj" ARCH=x86_64 TARGETS="$targets" VBLK_STATIC=1 \
	KSFT_INSTALL_PATH="$dest.tmp" install >"$obj/install.log" 2>&1 || {
	cat "$obj/install.log" >&2
	die "kselftest build failed"
}
for t in $targets; do
	for f in "$dest.tmp/$t"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		case $f in *.sh) continue ;; esac
		file -b "$f" 2>/dev/null | grep -q 'statically linked' ||
			die "$f is not statically linked"
	done
done
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$stamp"
log "kselftests installed in $dest"
