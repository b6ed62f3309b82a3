#!/bin/sh
# Hibernation with a real image on a swap disk, over virtio_pci_ng +
# virtio_blk_ng (both disks: the data disk and the swap disk the image is
# written to and read from):
# 1. /sys/power/disk = test_resume: freeze, snapshot, thaw (the image is
#    written through our drivers, thawed), then the image is read back and
#    restored in the same boot (quiesce, then restore): data kept, I/O
#    goes on.
# 2. /sys/power/disk = platform: freeze, snapshot, thaw, the image written,
#    poweroff (ACPI S4: QEMU powers the machine off). The host boots the
#    guest again with vng.resume=1 (boot.sh -R); that boot kernel loads
#    our drivers and resumes from the swap disk: they quiesce, the image
#    kernel's drivers restore. The script goes on where it hibernated:
#    the data disk keeps its data, I/O works on both disks, the disk is
#    live. The host check wants the S4 entry in the first boot's log, no
#    device that failed a PM callback, and VNG-RESUMED in the second.
# pm_debug_messages counts the restores ("image restored successfully");
# no_console_suspend keeps the console through the poweroff phase, for
# the host check. The image (about 170 MB, 33 MB after compression on
# the debug kernel) fits the 64 MiB swap disk.
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d0,serial=s4-data,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=d1,serial=s4-swap
# vng-resume-args: vng.resume=1
# vng-kernel-args: no_console_suspend
# vng-post: sed -n '/^# host: resume boot/,$p' "$log" | grep -q '^VNG-RESUMED' && sed -n '/PM: Image saving done/,/^# host: resume boot/p' "$log" | grep -q 'Preparing to enter system sleep state S4' && ! grep -qE 'failed to (freeze|thaw|poweroff|restore|quiesce)' "$log"
# vng-timeout: 400
. /vng/lib.sh
. /vng/ng-lib.sh
. /vng/kst.sh

PAIR=virtio_pci_ng:virtio_blk_ng

if grep -qw vng.resume=1 /proc/cmdline; then
	# The resume's boot kernel: our drivers read the image.
	kst_load $PAIR || vng_done
	s=$(kst_disk s4-swap) || vng_done
	echo "# resuming from /dev/$s ($(cat /sys/block/$s/dev))"
	cat /sys/block/$s/dev >/sys/power/resume
	# Only reached when the boot went on without the image.
	fail "resume from the image on /dev/$s"
	dmesg | grep -iE 'PM:|hibernat|swap' | tail -n 15 | sed 's/^/# /'
	vng_done
fi

# restores: how many images this kernel was restored from
restores() { dmesg | grep -c 'image restored successfully'; }

kst_load $PAIR || vng_done
d=$(kst_disk s4-data) || vng_done
s=$(kst_disk s4-swap) || vng_done
check_eq "both disks on virtio_blk_ng" "$(drv_of "$d") $(drv_of "$s")" \
	"virtio_blk_ng virtio_blk_ng"
check "data written" vngio write /dev/$d 0 1m 21
check "mkswap on /dev/$s" mkswap /dev/$s
check "swapon /dev/$s" swapon /dev/$s
echo 1 >/sys/power/pm_debug_messages
echo "# modes: $(cat /sys/power/disk)"

# 1. Same boot: written, read back, restored.
echo test_resume >/sys/power/disk
check "hibernation with test_resume: image written and restored" \
	sh -c 'echo disk > /sys/power/state'
check_eq "restored from the image once" "$(restores)" 1
check "data after the test_resume cycle" vngio verify /dev/$d 0 1m 21
check "write after it" vngio write /dev/$d 1m 1m 22
check "read after it" vngio verify /dev/$d 1m 1m 22
check_eq "live after it" "$(ng_rec "$d" state)" live

# 2. Written, powered off, resumed by another boot.
if ! grep -qw platform /sys/power/disk; then
	fail "platform hibernation (ACPI S4) offered: $(cat /sys/power/disk)"
	vng_done
fi
echo platform >/sys/power/disk
# The first boot's last words (S4 entry, any device that fails a PM
# callback) go to the console for the host check.
echo 7 >/proc/sys/kernel/printk
echo "VNG-HIBERNATED"
rc=0
echo disk >/sys/power/state || rc=$?
echo 5 >/proc/sys/kernel/printk
echo "VNG-RESUMED"
check_eq "hibernation to disk returned success after the resume" "$rc" 0
check_eq "restored from an image again" "$(restores)" 2
check "data after the resume" vngio verify /dev/$d 0 1m 21
check "data written after the first cycle" vngio verify /dev/$d 1m 1m 22
check "write after the resume" vngio write /dev/$d 2m 1m 23
check "read after the resume" vngio verify /dev/$d 2m 1m 23
check_eq "data disk live" "$(ng_rec "$d" state)" live
check_eq "swap disk live" "$(ng_rec "$s" state)" live
check "swapoff /dev/$s (reads the swap disk)" swapoff /dev/$s
check "I/O on the swap disk" vngio write /dev/$s 0 64k 24
check "its data" vngio verify /dev/$s 0 64k 24
vng_done
