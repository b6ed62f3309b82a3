#!/bin/sh
# An FLR and a resume whose transport part fails before virtio_blk_ng is
# called back. virtio_pci_ng's fail_virtio_pci_ng_reenable fault makes
# re-enabling the function fail once, as pci_enable_device() does for a
# function that did not come back; the virtio core's feature
# re-negotiation failing has the same effect. The driver took its rings
# down in reset_prepare (freeze) and requeued what was in flight, and
# nothing will call it again. It must not wait for ever: four request
# timeouts after a suspend, and no sooner than 65 s after an FLR (--full
# only), it gives up (the I/O fails with EIO, the disk is marked dead) and
# unbind works; once the function is bound again the data written before
# is intact. Before, every I/O waited until removal. A reset and a resume
# that work are never given up on, and an unbind while the rings are down
# does not wait for the give-up.
# vng-machine: q35
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw,cache=none
# vng-qemu: -device virtio-blk-pci,drive=d0,bus=rp0,serial=flr
# vng-timeout: 600
. /vng/lib.sh
. /vng/vu-lib.sh
. /vng/ng-lib.sh

F=/sys/kernel/debug/fail_virtio_pci_ng_reenable

# disk: the disk's name in $d, once it is there
disk() {
	_i=0
	while [ $_i -lt 100 ]; do
		vng_disk_by_serial flr
		d=$D
		[ -n "$d" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# arm: the next re-enable fails, once
arm() {
	echo 100 >$F/probability && echo 1 >$F/times && echo 0 >$F/verbose
}

# after STEP: I/O ends with EIO within the give-up bound; then unbind,
# bind again, and the data written before the step is there
after() {
	_st=$1
	vu_bg w$_st vngio write /dev/$d 8m 1m 82
	if vu_wait w$_st 150; then
		check "$_st: a write after it ends" true
		check "$_st: ... with an error" test "$VU_RC" -ne 0
	else
		fail "$_st: a write after it still waits 150 s later"
	fi
	check_eq "$_st: the disk was given up on" "$(ng_rec $d state)" dead
	check "$_st: the log says why" sh -c \
		"dmesg | grep -q '$d: the device did not come back after a reset or resume; device marked dead'"
	check "$_st: I/O on the dead disk fails at once" \
		sh -c "! vngio write /dev/$d 9m 4k 83"
	check "$_st: unbind" vng_unload virtio_blk_ng virtio_pci_ng
	vng_load virtio_pci_ng virtio_blk_ng
	if disk; then ok "$_st: bound again ($d)"; else fail "$_st: bound again"; fi
	check "$_st: data written before it" vngio verify /dev/$d 0 1m 81
}

vng_load virtio_pci_ng virtio_blk_ng
if disk; then ok "the disk ($d)"; else fail "the disk"; fi
if [ ! -d $F ]; then
	skip "the whole case" "no $F (CONFIG_FAULT_INJECTION_DEBUG_FS off)"
	vng_done
fi
bdf=$(basename "$(readlink -f /sys/block/$d/device/..)")
check "data before" vngio write /dev/$d 0 1m 81
check "io_timeout 2 s" sh -c "echo 2000 > /sys/block/$d/queue/io_timeout"

# First the reset and the resume that work: nothing is given up on, also
# well past the give-up bound of a suspend (4 x io_timeout = 8 s).
check "function reset (no fault)" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
echo devices >/sys/power/pm_test
check "suspend/resume (no fault)" sh -c 'echo freeze > /sys/power/state'
echo none >/sys/power/pm_test
sleep 10
check_eq "still live 10 s later" "$(ng_rec $d state)" live
check "I/O" vngio verify /dev/$d 0 1m 81

# A resume whose re-enable fails: given up on 8 s after the freeze.
check "arm: resume" arm
echo devices >/sys/power/pm_test
# (The PM core reports the failed resume and goes on.)
echo freeze >/sys/power/state
echo none >/sys/power/pm_test
check "the resume failed" sh -c "dmesg | grep -q 'failed to resume.*error -5\|returns -5'"
after resume

# Removal while the rings are down, long before the give-up: a resume
# whose re-enable fails, a write waiting on the requeue, then the virtio
# driver unbound at once (io_timeout 30 s: the give-up is 2 minutes
# away). Rings already down are given up on when removal starts: the
# unbind must not wait for the deadline (before, del_gendisk() waited on
# the quiesced queue), and the waiting write fails.
check "io_timeout 30 s" sh -c "echo 30000 > /sys/block/$d/queue/io_timeout"
vdev=$(basename "$(readlink -f /sys/block/$d/device)")
check "arm: resume, then unbind" arm
echo devices >/sys/power/pm_test
echo freeze >/sys/power/state
echo none >/sys/power/pm_test
check_eq "rings down, not given up on" "$(ng_rec $d state)" down
vu_bg wr vngio write /dev/$d 8m 1m 84
sleep 2
t0=$(vu_ms)
echo "$vdev" >/sys/bus/virtio/drivers/virtio_blk_ng/unbind
t=$(( ($(vu_ms) - t0) / 1000 ))
check "unbind with the rings down returns long before the give-up ($t s)" \
	test $t -lt 30
if vu_wait wr 30; then
	check "the waiting write fails" test "$VU_RC" -ne 0
else
	fail "the waiting write still waits 30 s after the unbind"
fi
check "modules unload" vng_unload virtio_blk_ng virtio_pci_ng
vng_load virtio_pci_ng virtio_blk_ng
if disk; then ok "bound again ($d)"; else fail "bound again"; fi
check "data written before it" vngio verify /dev/$d 0 1m 81
check "io_timeout 2 s" sh -c "echo 2000 > /sys/block/$d/queue/io_timeout"

# An FLR whose re-enable fails: a reset is given up on no sooner than
# 65 s after it began (a function may take 60 s to come back from an
# FLR), so this half runs with --full (vng.full=1) only.
if grep -q 'vng.full=1' /proc/cmdline; then
	check "io_timeout 2 s" sh -c "echo 2000 > /sys/block/$d/queue/io_timeout"
	bdf=$(basename "$(readlink -f /sys/block/$d/device/..)")
	check "arm: FLR" arm
	t0=$(vu_ms)
	check "function reset" sh -c "echo 1 > /sys/bus/pci/devices/$bdf/reset"
	check "the re-enable failed" sh -c "dmesg | grep -q 'reset_done failed: -5'"
	after flr
	t=$(( ($(vu_ms) - t0) / 1000 ))
	check "given up on no sooner than 65 s after the FLR ($t s)" test $t -ge 65
else
	skip "FLR whose re-enable fails" "65 s of waiting: --full only"
fi
check "no complaints in the log" ng_no_complaints
vng_done
