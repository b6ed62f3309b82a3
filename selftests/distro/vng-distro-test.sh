#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test service of the Debian guest (vng-distro-test.service, installed
# by selftests/distro/mkimage.sh): prints TAP on ttyS0 for
# selftests/distro/run.sh, then powers the guest off.
# Kernel arguments: vng.expect=stock|ng (the pair that must drive the root
# disk), vng.serial=SERIAL (the disk's virtio serial).
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
arg() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" /proc/cmdline; }

# Wait for the boot to finish before printing: systemd's status lines
# share the console.
state=$(timeout 300 systemctl is-system-running --wait)
echo "VNG-BOOTED: distro"
echo "# kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "# $(systemd-analyze time 2>/dev/null | head -n 1)"

case $(arg vng.expect) in
ng) want_blk=virtio_blk_ng want_pci=virtio-pci-ng ;;
*) want_blk=virtio_blk want_pci=virtio-pci ;;
esac
serial=$(arg vng.serial)

check "system is running (state: $state)" [ "$state" = running ]
if [ "$state" != running ]; then
	systemctl --failed --no-legend --plain | sed 's/^/# failed unit: /'
fi
check "multi-user.target is active" systemctl -q is-active multi-user.target

blk=$(basename "$(readlink /sys/block/vda/device/driver)")
pcidev=$(readlink -f /sys/block/vda/device/..)
pci=$(basename "$(readlink "$pcidev/driver")")
echo "# vda: virtio device driver $blk, PCI function $(basename "$pcidev") driver $pci"
echo "# modules: $(grep -o '^virtio[a-z_]*' /proc/modules | sort | tr '\n' ' ')"
check "root disk driven by $want_blk (found: ${blk:-none})" [ "$blk" = "$want_blk" ]
check "PCI function driven by $want_pci (found: ${pci:-none})" [ "$pci" = "$want_pci" ]
check "/ is /dev/vda, ext4, read-write" \
	[ "$(findmnt -n -o SOURCE,FSTYPE,OPTIONS / | awk '{ split($3, o, ","); print $1, $2, o[1] }')" = "/dev/vda ext4 rw" ]
# initramfs-tools checked the root before mounting it
if [ -f /run/initramfs/fsck.log ]; then
	sed 's/^/# initramfs fsck: /' /run/initramfs/fsck.log
	check "initramfs fsck found the root clean" grep -q clean /run/initramfs/fsck.log
else
	nok "initramfs fsck ran (no /run/initramfs/fsck.log)"
fi

link=$(readlink -f "/dev/disk/by-id/virtio-$serial")
check "/dev/disk/by-id/virtio-$serial -> ${link:-nothing}" [ "$link" = /dev/vda ]
echo "# serial: $(cat /sys/block/vda/serial 2>/dev/null)"

out=$(fstrim -v / 2>&1)
st=$?
echo "# $out"
check "fstrim -v / succeeds" [ $st -eq 0 ]

# Online grow: the host resizes the disk (QMP block_resize, +64 MiB), the
# driver sees the capacity change, resize2fs grows the mounted fs.
old=$(cat /sys/block/vda/size)
fs_old=$(df -B1 --output=size / | tail -n 1)
new=$((old + 131072))
echo "VNG-QMP: {\"execute\": \"block_resize\", \"arguments\": {\"device\": \"root\", \"size\": $((new * 512))}}"
i=0
while [ "$(cat /sys/block/vda/size)" -ne $new ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "guest sees the new size ($old -> $(cat /sys/block/vda/size) sectors)" \
	[ "$(cat /sys/block/vda/size)" -eq $new ]
resize2fs /dev/vda 2>&1 | sed 's/^/# resize2fs: /'
fs_new=$(df -B1 --output=size / | tail -n 1)
check "resize2fs grew / online ($fs_old -> $fs_new bytes)" [ "$fs_new" -gt "$fs_old" ]
dmesg | grep -iE 'virtio|vda' | tail -n 12 | sed 's/^/# dmesg: /'

sync
echo "# $n checks, $failed failed"
echo "VNG-EXIT: $failed"
systemctl poweroff
