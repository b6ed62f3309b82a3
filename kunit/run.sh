#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the series' KUnit suites on the test kernel under QEMU: the guest loads
# every KUnit module of our drivers; the KTAP they print is checked with the
# kernel's own parser (tools/testing/kunit/kunit.py parse).
# Prints "kunit: N passed, N failed"; exits non-zero on any failure or when
# no test ran.
#
# To run one suite the usual way on your own tree instead:
#   tools/testing/kunit/kunit.py run --arch=x86_64 --kunitconfig=kunit/virtio_pci_ng.kunitconfig
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

flavour=${1:-test}
out=$KOUT/${VNG_OUT:-$flavour}
guest=$(mktemp /tmp/vng-kunit.XXXXXX.sh)
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<'GUEST'
mods=$(find /lib/modules -path '*virtio_*_ng/*' -name '*kunit*.ko*' | sort)
[ -n "$mods" ] || { echo "no KUnit modules of ours in the image"; exit 1; }
for m in $mods; do
	name=$(basename "$m"); name=${name%%.ko*}
	echo "VNG-KUNIT-MODULE: $name"
	modprobe "$name" || exit 1
done
exit 0
GUEST
# No leak scan here: kmemleak off, as in the QEMU cases (see selftests/run.sh).
"$TOP/scripts/boot.sh" -f "$flavour" -n kunit -t 600 -k kmemleak=off "$guest"
rc=$?
log=$BUILD/logs/kunit.log
# Only the dmesg copy, so console interleaving cannot garble the KTAP.
sed -n '/^VNG-DMESG-BEGIN/,/^VNG-DMESG-END/p' "$log" | sed 's/^\[[ 0-9.]*\] //' >"$BUILD/logs/kunit.ktap"
mods=$(grep -c '^VNG-KUNIT-MODULE:' "$log")
# Built-in KUnit prints an empty plan ("1..0") at boot and every module its
# own KTAP document: parse each module's document on its own.
rm -f "$BUILD"/logs/kunit-part-*.ktap
awk -v dir="$BUILD/logs" '/^KTAP version/ { n++; f = sprintf("%s/kunit-part-%d.ktap", dir, n) }
	n { print > f }' "$BUILD/logs/kunit.ktap"
passed=0 failed=0 skipped=0 prc=0 docs=0
for part in "$BUILD"/logs/kunit-part-*.ktap; do
	[ -e "$part" ] || continue
	sed -n 2p "$part" | grep -qx '1\.\.0' && continue
	docs=$((docs + 1))
	python3 "$KSRC/tools/testing/kunit/kunit.py" parse "$part" >"$part.parsed" 2>&1 || prc=1
	cat "$part.parsed"
	summary=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$part.parsed" | tail -1)
	p=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
	f=$(echo "$summary" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
	c=$(echo "$summary" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
	e=$(echo "$summary" | sed -n 's/.*errors: \([0-9]*\).*/\1/p')
	s=$(echo "$summary" | sed -n 's/.*skipped: \([0-9]*\).*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${c:-0} + ${e:-0}))
	skipped=$((skipped + ${s:-0}))
done
[ "$docs" -eq "$mods" ] || { echo "# $mods modules loaded but $docs KTAP documents"; failed=$((failed + 1)); }
echo "# $mods KUnit modules loaded, guest exit $rc, parser exit $prc"
if [ $rc -ne 0 ] || [ $prc -ne 0 ] || [ "$passed" -eq 0 ]; then
	[ $failed -eq 0 ] && failed=1
fi
echo "kunit: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
