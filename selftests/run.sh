#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the QEMU test cases in selftests/cases/ (those of
# selftests/default.list, or those matching the glob arguments) on the kernel in build/out/$VNG_OUT (default: test).
# Prints TAP per case, a table, and "N passed, N failed"; exits non-zero on
# any failure. Logs of every case are in build/logs/. Case timeouts are
# multiplied by VNG_TIMEOUT_SCALE (default 3: the debug kernel under TCG on a
# busy host is slow; a timeout only costs time when something hangs).
# QEMU: the system's (7.2) unless VNG_QEMU says otherwise (see
# scripts/boot.sh); NAME@VERSION runs a case on that QEMU (kst-io@10.0,
# 'kst-*@10.0'; its log is build/logs/NAME@VERSION.log), and a case with a
# "# vng-qemu-version: V.." header runs only on those (the first one unless
# the one asked for is among them).
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

hdr() { sed -n "s|^# vng-$1: ||p" "$2" | tr '\n' ' '; }

# case_qemu CASE VERSION: the QEMU version the case runs on ("" for the
# system's): VERSION (from NAME@VERSION) or $VNG_QEMU, unless the case's
# "# vng-qemu-version:" list does not have it: then the first of the list.
case_qemu() {
	local pin want=${2:-${VNG_QEMU:-}}
	pin=$(hdr qemu-version "$1")
	if [ -n "${pin// /}" ] && [[ " $pin " != *" ${want:-7.2} "* ]]; then
		want=${pin%% *}
	fi
	echo "$want"
}

# A case runs once per QEMU: '*' 'kst-*@10.0' does not boot a case pinned
# to 10.0 twice.
cases=() cqemu=()
declare -A seen=()
for pat in "$@"; do
	qv=
	case $pat in *@*) qv=${pat##*@} pat=${pat%@*} ;; esac
	for c in "$TOP"/selftests/cases/$pat.sh; do
		[ -f "$c" ] || continue
		k="$c|$(case_qemu "$c" "$qv")"
		[ -z "${seen[$k]:-}" ] || continue
		seen[$k]=1
		cases+=("$c") cqemu+=("$qv")
	done
done
[ ${#cases[@]} -gt 0 ] || die "no test case matches $*"

# "# vng-needs: fio": the guest gets a static fio as /usr/bin/fio (built
# once from Debian's source by scripts/build-fio.sh, cached).
fio_initrd=
need_fio() {
	local bin root
	[ -n "$fio_initrd" ] && return 0
	bin=$("$TOP/scripts/build-fio.sh") || return 1
	fio_initrd=$BUILD/guest-fio.cpio
	[ "$fio_initrd" -nt "$bin" ] && return 0
	root=$(mktemp -d /tmp/vng-fio-root.XXXXXX)
	mkdir -p "$root/usr/bin"
	cp "$bin" "$root/usr/bin/fio"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$fio_initrd"
	rm -rf "$root"
}

# "# vng-needs: kmod": the guest gets the host's kmod as /opt/kmod/modprobe
# (udev's module loader: aliases, softdeps, modprobe.d) and the project's
# scripts/modprobe.d/ files in /etc/modprobe.d; busybox's modprobe has no
# softdep.
kmod_initrd=
need_kmod() {
	local root lib
	[ -n "$kmod_initrd" ] && return 0
	kmod_initrd=$BUILD/guest-kmod.cpio
	root=$(mktemp -d /tmp/vng-kmod-root.XXXXXX)
	mkdir -p "$root/opt/kmod" "$root/etc/modprobe.d"
	cp /usr/bin/kmod "$root/opt/kmod/kmod"
	ln -s kmod "$root/opt/kmod/modprobe"
	for lib in $(ldd /usr/bin/kmod | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	cp "$TOP"/scripts/modprobe.d/*.conf "$root/etc/modprobe.d/"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$kmod_initrd"
	rm -rf "$root"
}

# run_case N CASE: boot one case; its report goes to $res/N.out and its
# figures ("PASS|FAIL checks-ok checks-failed skipped seconds crash") to
# $res/N.res.
run_case() {
	local n=$1 c=$2 name t0 machine to post vu ra extra out rc log cp cs cf dt r km crash=0
	local args qv=${cqemu[$((n - 1))]} qemu
	name=$(basename "$c" .sh)${qv:+@$qv}
	qemu=$(case_qemu "$c" "$qv")
	t0=$(date +%s)
	machine=$(hdr machine "$c"); machine=${machine% }
	to=$(hdr timeout "$c"); to=${to% }
	# kmemleak's tracking of every allocation made the debug guest twice as
	# slow (boot-smoke 37 s -> 19 s, kst-uring 90 s -> 50 s without it), and
	# only a case that scans for leaks gets anything from it: the others
	# boot with kmemleak=off ("# vng-needs: kmemleak" keeps it on).
	km=kmemleak=off
	[[ " $(hdr needs "$c") " == *" kmemleak "* ]] && km=
	# The same for DMA API debugging ("# vng-needs: dma-debug"); page
	# poisoning is off unless a case asks for it in its kernel-args
	# (page_poison=1).
	[[ " $(hdr needs "$c") " == *" dma-debug "* ]] || km="$km dma_debug=off"
	# VNG_KARGS: more kernel arguments for every case (e.g. vng.unplugs=100).
	args=(-f "$flavour" -n "$name" -t "$(( ${to:-300} * ${VNG_TIMEOUT_SCALE:-3} ))" -q "$(hdr qemu "$c")" -k "$km $(hdr kernel-args "$c") ${VNG_KARGS:-}")
	[ -n "$machine" ] && args+=(-M "$machine")
	# "# vng-needs: hotplug": QMP device_add/device_del (ACPI PCI hotplug).
	[[ " $(hdr needs "$c") " == *" hotplug "* ]] && args+=(-H)
	# "# vng-resume-args: ARGS": a guest that hibernated is booted again
	# with ARGS to resume from its image (boot.sh -R).
	ra=$(hdr resume-args "$c")
	[ -n "${ra// /}" ] && args+=(-R "$ra")
	post=$(hdr post "$c")
	[ -n "${post// /}" ] && args+=(-p "$post")
	# One vhost-user-bad back-end per "# vng-vhost-user: ARGS" line.
	while IFS= read -r vu; do
		args+=(-u "$vu")
	done < <(sed -n 's|^# vng-vhost-user: *||p' "$c")
	# "# vng-nbd: 0 1": those disks are served by nbd-stall.py (-N).
	for vu in $(hdr nbd "$c"); do
		args+=(-N "$vu")
	done
	extra=
	[[ " $(hdr needs "$c") " == *" fio "* ]] && extra=$fio_initrd
	[[ " $(hdr needs "$c") " == *" kmod "* ]] && extra="$extra $kmod_initrd"
	{
	[[ " $(hdr needs "$c") " == *" fio "* ]] && [ -z "$extra" ] &&
		echo "    # no fio for the guest: its checks will fail"
	out=$(VNG_QEMU=$qemu VNG_EXTRA_INITRD=$extra "$TOP/scripts/boot.sh" "${args[@]}" "$c" 2>&1)
	rc=$?
	log=$BUILD/logs/$name.log
	# A guest that never reached /init (TCG timer calibration can stall on a
	# loaded host) ran no test: boot it once more, and say so.
	if [ $rc -ne 0 ] && ! grep -q 'VNG-BOOTED' "$log"; then
		echo "    # the guest did not boot (exit $rc); booting it once more"
		cp "$log" "$log.noboot"
		out=$(VNG_QEMU=$qemu VNG_EXTRA_INITRD=$extra "$TOP/scripts/boot.sh" "${args[@]}" "$c" 2>&1)
		rc=$?
	fi
	cp=$(grep -cE '^ok [0-9]+ ' "$log" 2>/dev/null); cp=${cp:-0}
	cs=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" 2>/dev/null); cs=${cs:-0}
	cf=$(grep -cE '^not ok [0-9]+ ' "$log" 2>/dev/null); cf=${cf:-0}
	cp=$((cp - cs))
	grep -E '^(not )?ok [0-9]+ |^# ' "$log" | grep -v '^# host:' | sed 's/^/    /'
	dt=$(($(date +%s) - t0))
	if [ $rc -eq 0 ] && [ "$cf" -eq 0 ] && [ $((cp + cs)) -gt 0 ]; then
		r=PASS
	else
		r=FAIL
		[ $rc -ne 0 ] && echo "$out" | tail -n 15 | sed 's/^/    # /'
		[ $((cp + cs + cf)) -eq 0 ] && echo "    # the case reported no checks"
		# A crash, hang or splat is a failure of its own, on top of the checks.
		[ $rc -ne 0 ] || [ "$cf" -eq 0 ] && crash=1
		echo "    # log: $log"
	fi
	if [ "$r" = PASS ]; then
		echo "ok $n - $name (${dt}s${qemu:+, QEMU $qemu})"
	else
		echo "not ok $n - $name (${dt}s${qemu:+, QEMU $qemu}, exit $rc)"
	fi
	} >"$res/$n.out" 2>&1
	echo "$r $cp $cf $cs $dt $crash $rc" >"$res/$n.tmp" && mv "$res/$n.tmp" "$res/$n.res"
}

# Cases run one at a time, or VNG_JOBS at a time (each guest has 2 vCPUs;
# the default of 1 keeps timing-sensitive cases honest on a 2-core host).
jobs_max=${VNG_JOBS:-1}
res=$(mktemp -d /tmp/vng-run.XXXXXX)
trap 'rm -rf "$res"' EXIT
for c in "${cases[@]}"; do
	if [[ " $(hdr needs "$c") " == *" fio "* ]]; then
		need_fio || echo "# cannot build fio for the guest"
		break
	fi
done
for c in "${cases[@]}"; do
	if [[ " $(hdr needs "$c") " == *" kmod "* ]]; then
		need_kmod || echo "# cannot pack kmod for the guest"
		break
	fi
done

# Every QEMU the cases need, fetched once before the first boot (and said
# which it is).
declare -A qemus=()
for n in "${!cases[@]}"; do
	qv=$(case_qemu "${cases[$n]}" "${cqemu[$n]}")
	qemus["${qv:-system}"]=1
done
for qv in "${!qemus[@]}"; do
	[ "$qv" = system ] && qv=
	if q=$(VNG_QEMU=$qv qemu_bin); then
		echo "# qemu${qv:+ $qv}: $(qemu_desc "$q")"
	else
		echo "# cannot get QEMU $qv: its cases will fail"
	fi
done

passed=0 failed=0 skipped=0 total=${#cases[@]}
table=()
t_all=$(date +%s)
# report N: print case N's report once it is complete
report() {
	local n=$1 name r cp cf cs dt crash rc qv
	name=$(basename "${cases[$((n - 1))]}" .sh)
	qv=$(case_qemu "${cases[$((n - 1))]}" "${cqemu[$((n - 1))]}")
	[ -n "${cqemu[$((n - 1))]}" ] && name=$name@${cqemu[$((n - 1))]}
	[ -z "$qv" ] || [[ $name == *@* ]] || name="$name (QEMU $qv)"
	read -r r cp cf cs dt crash rc <"$res/$n.res"
	cat "$res/$n.out"
	passed=$((passed + cp)) failed=$((failed + cf + crash)) skipped=$((skipped + cs))
	table+=("$(printf '%-40s %-5s %4ds  %3d ok %3d failed %3d skipped' "$name" "$r" "$dt" "$cp" "$cf" "$cs")")
}
next=1
for ((n = 1; n <= total; n++)); do
	printf '# [%d/%d] %s ...\n' "$n" "$total" "$(basename "${cases[$((n - 1))]}" .sh)${cqemu[$((n - 1))]:+@${cqemu[$((n - 1))]}}"
	run_case "$n" "${cases[$((n - 1))]}" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	# Reports come out in case order.
	while [ $next -le $total ] && [ -f "$res/$next.res" ]; do
		report $next
		next=$((next + 1))
	done
done
wait
while [ $next -le $total ]; do
	report $next
	next=$((next + 1))
done
echo "# ---- QEMU cases ($(($(date +%s) - t_all)) s) ----"
printf '# %s\n' "${table[@]}"
echo "selftests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
