#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest's base initramfs for one kernel build directory:
# busybox, the kernel's modules, the guest library and the static guest
# tools from selftests/tools/. Prints the path of the cpio
# (uncompressed: the debug kernel under TCG took 4.6 s to inflate 5 MB).
#   scripts/mkinitramfs.sh OUTDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
[ -d "$out/modroot/lib/modules" ] || die "$out has no installed modules; build it first"
need_pkgs busybox-static cpio gcc liburing-dev
img=$out/initramfs-base.cpio
tools=$BUILD/guest-tools
cross=$(arch_cross)
busybox=/bin/busybox
if [ "$VNG_ARCH" != x86_64 ]; then
	# Another architecture: its static busybox and liburing from Debian
	# (multiarch), the tools built with its cross compiler.
	tools=$BUILD/guest-tools-$VNG_ARCH
	busybox=$CACHE/busybox-$VNG_ARCH
	dpkg --print-foreign-architectures | grep -qx "$VNG_ARCH" || {
		dpkg --add-architecture "$VNG_ARCH" && apt-get update -q >/dev/null; }
	need_pkgs "gcc-${cross%-}" "libc6-dev-$VNG_ARCH-cross" "liburing-dev:$VNG_ARCH"
	if [ ! -x "$busybox" ]; then
		d=$(mktemp -d)
		(cd "$d" && apt-get download -q "busybox-static:$VNG_ARCH" >/dev/null &&
			dpkg -x ./*.deb x) || die "cannot fetch busybox-static:$VNG_ARCH"
		cp "$d/x/bin/busybox" "$busybox"
		rm -rf "$d"
	fi
fi
mkdir -p "$tools"

# Static guest tools, rebuilt when their source changes.
for src in "$TOP"/selftests/tools/*.c; do
	[ -e "$src" ] || continue
	bin=$tools/$(basename "$src" .c)
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		ldflags=$(sed -n 's|^// vng-ldflags: ||p' "$src")
		# shellcheck disable=SC2086
		"${cross}gcc" -static -O2 -Wall -Werror -o "$bin" "$src" $ldflags ||
			die "cannot build guest tool $src"
	fi
done

# The kernel tree's kselftests (scripts/build-kselftests.sh), when the tree
# has them. When they do not build, the guest gets none, never the binaries
# of an older tree: the kst-* cases then fail on what is missing (and
# scripts/test.sh's build stage has failed already).
ksts=$BUILD/kselftests
# (Not cross-built yet: another architecture's guest gets none.)
[ "$VNG_ARCH" = x86_64 ] || ksts=/nonexistent
if [ "$VNG_ARCH" = x86_64 ] && [ -d "$KSRC/tools/testing/selftests/drivers/block/virtio_blk" ]; then
	if ! "$TOP/scripts/build-kselftests.sh" >&2; then
		log "warning: kselftest build failed; the guest gets no kselftests"
		rm -rf "$ksts"
		rm -f "$img"
	fi
fi

inputs=("$out/modroot" "$tools" "$TOP/selftests/guest" "$0")
[ -d "$ksts" ] && inputs+=("$ksts")
newest=$(find "${inputs[@]}" -newer "$img" 2>/dev/null | head -1 || true)
if [ -f "$img" ] && [ -z "$newest" ]; then
	echo "$img"
	exit 0
fi

root=$(mktemp -d)
tmp=
trap 'rm -rf "$root" $tmp' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,mnt,lib,vng,etc}
cp "$busybox" "$root/bin/busybox"
for app in $(/bin/busybox --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp -a "$out/modroot/lib/modules" "$root/lib/"
find "$root/lib/modules" -name build -o -name source | xargs rm -f
cp "$TOP"/selftests/guest/*.sh "$root/vng/"
cp "$tools"/* "$root/usr/bin/" 2>/dev/null || true
if [ -d "$ksts" ]; then
	mkdir -p "$root/usr/lib/kselftests"
	cp -a "$ksts/." "$root/usr/lib/kselftests/"
fi
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/usr/bin:/bin:/sbin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
echo "VNG-BOOTED: $(uname -r) cpus=$(nproc)"
cd /vng
sh /vng/run.sh
rc=$?
sync
# The whole kernel log, for the host's splat check (the console may be quiet).
echo "VNG-DMESG-BEGIN"
dmesg
echo "VNG-DMESG-END"
echo "VNG-EXIT: $rc"
reboot -f
INIT
chmod +x "$root/init"
# A private temporary name: several boots may build the same image at once.
tmp=$(mktemp "$img.XXXXXX")
(cd "$root" && find . | cpio -o -H newc --quiet) >"$tmp"
mv "$tmp" "$img"
echo "$img"
