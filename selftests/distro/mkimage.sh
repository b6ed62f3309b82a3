#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian bookworm guest of selftests/distro/run.sh for one kernel
# build (default build/out/test, scripts/build.sh test):
#   1. a bookworm root filesystem made with debootstrap (minbase + systemd,
#      udev, initramfs-tools, ...), cached once per machine as
#      $CACHE/distro/bookworm-KEY.tar (KEY: suite, variant, package list and
#      this script's rootfs recipe);
#   2. per kernel build: that rootfs + the kernel's modules (modroot), the
#      project's modprobe.d file, fstab (root on /dev/vda, ext4), hostname,
#      the test service (selftests/distro/vng-distro-test.sh), and an
#      initramfs made inside the rootfs by the distribution's own
#      update-initramfs; then a partition-less ext4 image (mkfs.ext4 -d).
# Output (printed): the directory OUTDIR/distro-image with disk.img (raw),
# vmlinuz, initrd.img and kver. Rebuilt only when an input changed.
#   selftests/distro/mkimage.sh [OUTDIR]
#   selftests/distro/mkimage.sh --rootfs   (only step 1)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

out=${1:-$KOUT/test}
need_pkgs debootstrap e2fsprogs tar zstd

SUITE=bookworm
VARIANT=minbase
# systemd-sysv: systemd as init; udev loads the drivers; initramfs-tools
# makes the initramfs; e2fsprogs/util-linux: fsck, resize2fs, fstrim.
PKGS=systemd-sysv,udev,initramfs-tools,e2fsprogs,util-linux,kmod,zstd
# Bump when the rootfs recipe below changes.
RECIPE=1
key=$(echo "$SUITE $VARIANT $PKGS $RECIPE" | sha256sum | cut -c1-16)
rootfs_tar=$CACHE/distro/$SUITE-$key.tar

# 1. The cached rootfs.
mkdir -p "$CACHE/distro"
exec 8>"$CACHE/distro/.lock"
flock 8
if [ ! -f "$rootfs_tar" ]; then
	uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
	[ -n "$uri" ] || die "cannot find the Debian archive URI in the apt sources"
	tmp=$(mktemp -d "$CACHE/distro/debootstrap.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "debootstrap $SUITE ($VARIANT + $PKGS), once per machine"
	t0=$(date +%s)
	debootstrap --variant="$VARIANT" --include="$PKGS" "$SUITE" "$tmp/root" "$uri" \
		>"$tmp/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$tmp/debootstrap.log" >&2; die "debootstrap failed"; }
	# Nothing the guest does not need: apt's lists and the .deb cache.
	rm -rf "$tmp"/root/var/cache/apt/archives/*.deb "$tmp"/root/var/lib/apt/lists/*
	tar -C "$tmp/root" --numeric-owner --xattrs -cf "$tmp/rootfs.tar" .
	mv "$tmp/rootfs.tar" "$rootfs_tar"
	log "debootstrap: $(($(date +%s) - t0)) s, $(du -sh "$rootfs_tar" | cut -f1)"
	rm -rf "$tmp"
	trap - EXIT
fi
flock -u 8
[ "$out" = --rootfs ] && { echo "$rootfs_tar"; exit 0; }

kernel=$out/arch/x86/boot/bzImage
[ -f "$kernel" ] && [ -d "$out/modroot/lib/modules" ] ||
	die "no kernel build with modules in $out; run scripts/build.sh"
# 2. The per-kernel image, redone when an input is newer than it.
img=$out/distro-image
kver=$(cat "$out/include/config/kernel.release")
inputs=("$rootfs_tar" "$kernel" "$out/modroot/lib/modules/$kver/modules.dep" "$0"
	"$TOP/selftests/distro/vng-distro-test.sh")
modprobe_conf=$TOP/scripts/modprobe.d/virtio-ng.conf
[ -f "$modprobe_conf" ] && inputs+=("$modprobe_conf")
stamp=$(for f in "${inputs[@]}"; do echo "$f"; done; sha256sum "${inputs[@]:1}" | cut -c1-64)
if [ -f "$img/disk.img" ] && [ "$(cat "$img/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$img"
	exit 0
fi
t0=$(date +%s)
log "preparing the bookworm image for $kver"
rm -rf "$img"
mkdir -p "$img"
root=$img/root
mkdir "$root"
cleanup() { umount "$root/proc" "$root/sys" "$root/dev" 2>/dev/null || true; }
trap cleanup EXIT
tar -C "$root" --numeric-owner --xattrs -xf "$rootfs_tar"

# The kernel's modules (no build/source links into the host's tree) and
# its config (mkinitramfs checks the compressor against it).
mkdir -p "$root/usr/lib/modules"
cp -a "$out/modroot/lib/modules/$kver" "$root/usr/lib/modules/"
rm -f "$root/usr/lib/modules/$kver/build" "$root/usr/lib/modules/$kver/source"
cp "$out/.config" "$root/boot/config-$kver"
cp "$out/System.map" "$root/boot/System.map-$kver"
cp "$kernel" "$root/boot/vmlinuz-$kver"
# The project's softdeps (virtio_pci before virtio_pci_ng, ...), when there.
[ -f "$modprobe_conf" ] && cp "$modprobe_conf" "$root/etc/modprobe.d/"

echo vng-distro >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tvng-distro\n' >"$root/etc/hosts"
printf '/dev/vda\t/\text4\terrors=remount-ro\t0\t1\n' >"$root/etc/fstab"
echo 'root:vng' | chroot "$root" chpasswd
# A machine id now: an empty one makes the first boot a "first boot"
# (systemd-firstboot would prompt on the console).
rm -f "$root/etc/machine-id"
chroot "$root" systemd-machine-id-setup >/dev/null
# The initramfs: no driver named anywhere (etc/initramfs-tools/modules
# stays as shipped, empty): udev in the initramfs loads the virtio modules
# by modalias, as on any Debian machine. MODULES=most (the default) copies
# kernel/drivers/block and kernel/drivers/virtio.
grep -v '^[[:space:]]*\(#\|$\)' "$root/etc/initramfs-tools/modules" &&
	die "etc/initramfs-tools/modules of the rootfs names modules"
sed -i 's/^MODULES=.*/MODULES=most/' "$root/etc/initramfs-tools/initramfs.conf"
# The root's fsck in the initramfs: its type, not a probe of /dev/vda in the
# chroot (that is the host's disk there).
echo FSTYPE=ext4 >"$root/etc/initramfs-tools/conf.d/vng-fstype"

# The test service: runs once the boot is under way, prints TAP on the
# serial console (selftests/distro/run.sh reads it), powers off.
install -m 755 "$TOP/selftests/distro/vng-distro-test.sh" "$root/usr/local/sbin/vng-distro-test"
cat >"$root/etc/systemd/system/vng-distro-test.service" <<'EOF'
[Unit]
Description=virtio-ng distro boot test
After=local-fs.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/vng-distro-test
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/vng-distro-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/vng-distro-test.service"
# Slow or irrelevant under TCG with no network and no login: the serial
# getty (the test owns ttyS0), timers that start apt/man-db work.
for u in serial-getty@ttyS0.service getty@tty1.service getty.target \
	apt-daily.timer apt-daily-upgrade.timer man-db.timer dpkg-db-backup.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-timesyncd.service systemd-firstboot.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
chroot "$root" depmod -a "$kver"
chroot "$root" update-initramfs -c -k "$kver" >"$img/update-initramfs.log" 2>&1 ||
	{ cat "$img/update-initramfs.log" >&2; die "update-initramfs failed"; }
# What of ours and the stock drivers the initramfs holds (for the report).
chroot "$root" lsinitramfs "/boot/initrd.img-$kver" | grep -E '/virtio[^/]*\.ko|modprobe\.d/' |
	sed 's|.*/||' | sort >"$img/initrd-virtio.txt" || true
cleanup
trap - EXIT
cp "$root/boot/initrd.img-$kver" "$img/initrd.img"
cp "$kernel" "$img/vmlinuz"
echo "$kver" >"$img/kver"
# A partition-less ext4 disk, filled from the directory (no loop device).
truncate -s 1G "$img/disk.img"
mkfs.ext4 -q -L vng-root -d "$root" "$img/disk.img" ||
	die "mkfs.ext4 -d failed"
rm -rf "$root"
echo "$stamp" >"$img/stamp"
log "image ready in $(($(date +%s) - t0)) s: $img"
echo "$img"
