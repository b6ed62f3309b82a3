#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The virtio-blk kselftests can fail: run them (stock drivers) against
# wrong expectations, a resize that never comes and data corrupted behind
# their back, and require a "not ok" from the test concerned; without a
# disk they must skip, never pass.
# vng-qemu: -drive if=none,id=d,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-pci,drive=d,serial=kst-self,num-queues=2
# vng-timeout: 300
. /vng/lib.sh
. /vng/kst.sh

# expect_fail DESC TEST PROG [VAR=VALUE..]: kselftest PROG, run for TEST
# only, must exit non-zero with "not ok N vblk.TEST".
expect_fail() {
	_desc=$1 _test=$2 _prog=$3
	shift 3
	env "$@" "$KST_DIR/$_prog" -t "$_test" >/tmp/neg.out 2>&1
	_rc=$?
	grep -E 'ok [0-9]|vblk_.*\.c:[0-9]+:|Expected|bad data' /tmp/neg.out |
		head -8 | sed 's/^/#   /'
	if [ $_rc -ne 0 ] &&
	   grep -qE "^not ok [0-9]+ vblk\.$_test( |\$)" /tmp/neg.out; then
		ok "$_desc"
	else
		fail "$_desc"
		echo "# exit status $_rc"
	fi
}

kst_load virtio_pci:virtio_blk || vng_done
d=$(kst_disk kst-self) || { fail "disk kst-self appears"; vng_done; }

# No disk named: every test skips, none passes.
"$KST_DIR/vblk_limits" >/tmp/neg.out 2>&1
check_eq "without VBLK_DISK nothing passes" \
	"$(grep -E '^ok [0-9]+ ' /tmp/neg.out | grep -vc '# SKIP')" 0
check "without VBLK_DISK all skip" grep -q '^ok 1 vblk.driver # SKIP' /tmp/neg.out

expect_fail "wrong driver caught" driver vblk_limits VBLK_DISK="$d" \
	VBLK_DRIVER=virtio_blk_other
expect_fail "wrong block size caught" geometry vblk_limits VBLK_DISK="$d" \
	VBLK_LBS=4096
expect_fail "wrong size caught" geometry vblk_limits VBLK_DISK="$d" \
	VBLK_SIZE_BYTES=1048576
expect_fail "wrong segment limit caught" transfer_limits vblk_limits \
	VBLK_DISK="$d" VBLK_MAX_SEGMENTS=1
expect_fail "unexpected discard caught" discard_limits vblk_limits \
	VBLK_DISK="$d" VBLK_DISCARD=0
expect_fail "wrong write-zeroes limit caught" write_zeroes_limits \
	vblk_limits VBLK_DISK="$d" VBLK_WRITE_ZEROES_MAX_BYTES=512
expect_fail "wrong cache mode caught" cache_mode vblk_limits \
	VBLK_DISK="$d" "VBLK_CACHE=write through"
expect_fail "wrong read-only flag caught" read_only vblk_limits \
	VBLK_DISK="$d" VBLK_RO=1
expect_fail "wrong serial caught" serial vblk_limits VBLK_DISK="$d" \
	VBLK_SERIAL=not-kst-self
expect_fail "wrong queue count caught" queue_count vblk_mq VBLK_DISK="$d" \
	VBLK_QUEUES=1
expect_fail "ring size below the tags caught" tag_depth vblk_mq \
	VBLK_DISK="$d" VBLK_QUEUE_SIZE=16
expect_fail "writable disk taken for read-only caught" marked_read_only \
	vblk_ro VBLK_DISK="$d" VBLK_RO=1
expect_fail "resize that never comes caught" grow vblk_resize \
	VBLK_DISK="$d" VBLK_RESIZE_CMD=true VBLK_RESIZE_BYTES=100663296 \
	VBLK_RESIZE_WAIT=2

# Data changed behind the stress test's back must be found.
env VBLK_DISK="$d" VBLK_STRESS_THREADS=4 "$KST_DIR/vblk_stress" 6 \
	>/tmp/stress.out 2>&1 &
pid=$!
sleep 2
for off in 1 5 9 13; do
	dd if=/dev/urandom of=/dev/"$d" bs=1M count=1 seek=$off oflag=direct \
		2>/dev/null
done
wait $pid
rc=$?
grep -E 'bad data|ok [0-9]' /tmp/stress.out | head -4 | sed 's/^/#   /'
if [ $rc -ne 0 ] && grep -q '^not ok 1 vblk.mixed_io' /tmp/stress.out &&
   grep -q 'bad data' /tmp/stress.out; then
	ok "corruption during vblk_stress caught"
else
	fail "corruption during vblk_stress caught"
fi

kst_unload
vng_done
