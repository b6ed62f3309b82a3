#!/bin/sh
# The virtio_blk_ng KUnit suite, run in the debug kernel (KASAN, lockdep)
# by loading its module.
# vng-timeout: 400
. /vng/lib.sh

check "modprobe vblk_ng_kunit" modprobe vblk_ng_kunit
r=/sys/kernel/debug/kunit/virtio_blk_ng/results
check "results in debugfs" test -r $r
# Show the per-test verdicts; fail on any "not ok".
grep -E '^ *(not )?ok [0-9]+ ' $r | sed 's/^/# /'
check_eq "suite passed" "$(grep -E '^ *(not )?ok [0-9]+ virtio_blk_ng$' $r | awk '{print $1}')" ok
check_eq "no failing test" "$(grep -cE '^ *not ok ' $r)" 0
check "at least 25 test cases" test "$(grep -cE '^    (not )?ok [0-9]+ ' $r)" -ge 25
check "rmmod" rmmod vblk_ng_kunit
vng_done
