#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the QEMU test cases in selftests/cases/ (those of
# selftests/default.list, or those matching the glob arguments) on the kernel in build/out/$VNG_OUT (default: test).
# Prints TAP per case, a table, and "N passed, N failed"; exits non-zero on
# any failure. Logs of every case are in build/logs/. Case timeouts are
# multiplied by VNG_TIMEOUT_SCALE (default 3: the debug kernel under TCG on a
# busy host is slow; a timeout only costs time when something hangs).
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

flavour=test
while getopts "f:" o; do
	case $o in
	f) flavour=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
# With no arguments: the cases of selftests/default.list (the CI set);
# '*' runs every case.
if [ $# -eq 0 ]; then
	mapfile -t defaults < <(sed 's/#.*//; /^[[:space:]]*$/d' "$TOP/selftests/default.list")
	set -- "${defaults[@]}"
fi

cases=()
for pat in "$@"; do
	for c in "$TOP"/selftests/cases/$pat.sh; do
		[ -f "$c" ] && cases+=("$c")
	done
done
[ ${#cases[@]} -gt 0 ] || die "no test case matches $*"

hdr() { sed -n "s|^# vng-$1: ||p" "$2" | tr '\n' ' '; }

passed=0 failed=0 skipped=0 n=0 total=${#cases[@]}
table=()
t_all=$(date +%s)
for c in "${cases[@]}"; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	t0=$(date +%s)
	printf '# [%d/%d] %s ...\n' "$n" "$total" "$name"
	machine=$(hdr machine "$c"); machine=${machine% }
	to=$(hdr timeout "$c"); to=${to% }
	args=(-f "$flavour" -n "$name" -t "$(( ${to:-300} * ${VNG_TIMEOUT_SCALE:-3} ))" -q "$(hdr qemu "$c")" -k "$(hdr kernel-args "$c")")
	[ -n "$machine" ] && args+=(-M "$machine")
	post=$(hdr post "$c")
	[ -n "${post// /}" ] && args+=(-p "$post")
	# One vhost-user-bad back-end per "# vng-vhost-user: ARGS" line.
	while IFS= read -r vu; do
		args+=(-u "$vu")
	done < <(sed -n 's|^# vng-vhost-user: *||p' "$c")
	out=$("$TOP/scripts/boot.sh" "${args[@]}" "$c" 2>&1)
	rc=$?
	log=$BUILD/logs/$name.log
	# A guest that never reached /init (TCG timer calibration can stall on a
	# loaded host) ran no test: boot it once more, and say so.
	if [ $rc -ne 0 ] && ! grep -q 'VNG-BOOTED' "$log"; then
		echo "    # the guest did not boot (exit $rc); booting it once more"
		cp "$log" "$log.noboot"
		out=$("$TOP/scripts/boot.sh" "${args[@]}" "$c" 2>&1)
		rc=$?
	fi
	cp=$(grep -cE '^ok [0-9]+ ' "$log" 2>/dev/null); cp=${cp:-0}
	cs=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" 2>/dev/null); cs=${cs:-0}
	cf=$(grep -cE '^not ok [0-9]+ ' "$log" 2>/dev/null); cf=${cf:-0}
	cp=$((cp - cs))
	grep -E '^(not )?ok [0-9]+ |^# ' "$log" | grep -v '^# host:' | sed 's/^/    /'
	dt=$(($(date +%s) - t0))
	if [ $rc -eq 0 ] && [ "$cf" -eq 0 ] && [ $((cp + cs)) -gt 0 ]; then
		res=PASS
		passed=$((passed + cp))
	else
		res=FAIL
		[ $rc -ne 0 ] && echo "$out" | tail -n 15 | sed 's/^/    # /'
		[ $((cp + cs + cf)) -eq 0 ] && echo "    # the case reported no checks"
		passed=$((passed + cp))
		failed=$((failed + cf))
		# A crash, hang or splat is a failure of its own, on top of the checks.
		[ $rc -ne 0 ] || [ "$cf" -eq 0 ] && failed=$((failed + 1))
		echo "    # log: $log"
	fi
	skipped=$((skipped + cs))
	if [ "$res" = PASS ]; then
		echo "ok $n - $name (${dt}s)"
	else
		echo "not ok $n - $name (${dt}s, exit $rc)"
	fi
	table+=("$(printf '%-40s %-5s %4ds  %3d ok %3d failed %3d skipped' "$name" "$res" "$dt" "$cp" "$cf" "$cs")")
done
echo "# ---- QEMU cases ($(($(date +%s) - t_all)) s) ----"
printf '# %s\n' "${table[@]}"
echo "selftests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
