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
"$TOP/scripts/boot.sh" -f "$flavour" -n kunit -t 600 "$guest"
rc=$?
log=$BUILD/logs/kunit.log
# Only the dmesg copy, so console interleaving cannot garble the KTAP.
sed -n '/^VNG-DMESG-BEGIN/,/^VNG-DMESG-END/p' "$log" | sed 's/^\[[ 0-9.]*\] //' >"$BUILD/logs/kunit.ktap"
mods=$(grep -c '^VNG-KUNIT-MODULE:' "$log")
python3 "$KSRC/tools/testing/kunit/kunit.py" parse "$BUILD/logs/kunit.ktap" \
	>"$BUILD/logs/kunit.parsed" 2>&1
prc=$?
cat "$BUILD/logs/kunit.parsed"
# Leaf results: lines of the parser's own summary.
summary=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$BUILD/logs/kunit.parsed" | tail -1)
passed=$(echo "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
failed=$(echo "$summary" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
crashed=$(echo "$summary" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
skipped=$(echo "$summary" | sed -n 's/.*skipped: \([0-9]*\).*/\1/p')
passed=${passed:-0} failed=$((${failed:-0} + ${crashed:-0})) skipped=${skipped:-0}
echo "# $mods KUnit modules loaded, guest exit $rc, parser exit $prc"
if [ $rc -ne 0 ] || [ $prc -ne 0 ] || [ "$passed" -eq 0 ]; then
	[ $failed -eq 0 ] && failed=1
fi
echo "kunit: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
