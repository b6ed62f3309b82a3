#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark: stock virtio_pci + virtio_blk against virtio_pci_ng +
# virtio_blk_ng on the same QEMU device, with null_blk as the floor.
# Not part of scripts/test.sh.
#
#   scripts/bench.sh [--quick] [--boots N] [--rounds N] [--win MS]
#                    [--no-build] [--out DIR] [--report-only] [--profile]
#
# Builds the demo kernel (scripts/build.sh demo; VNG_KSRC picks the tree),
# a static fio (scripts/build-fio.sh), benchmon and the vng_cputime module
# (selftests/bench/), and boots N times (default 2) under QEMU TCG with
# -icount shift=0,sleep=off: at shift=0 one guest ns is one instruction.
# Each boot runs ROUNDS rounds (default 4) of every point, the pairs in the
# order A B B A ..., then null_blk again, which must repeat to ~0.1 %.
# Results (JSON, CSV, a table and a PNG plot) go to DIR (default
# Documentation/bench); boot logs to build/logs/bench-N.log.
# VNG_BENCH_POINTS (with --quick) replaces the quick set's points (and
# drops its raw-file point), for an A/B of a few points with more rounds.
# VNG_BENCH_DEVOPTS: virtio-blk-pci options of both disks (see below).
# --report-only re-reads the logs of the last run and writes the results.
# --profile instead boots once with the vng_prof sampling profiler and
# writes DIR/profile.md: instructions per I/O by kernel function, stock
# against ours (log: build/logs/bench-prof.log) at the points in
# VNG_PROFILE_POINTS (default: 4k randread QD1 and QD32, randwrite QD32).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

boots= rounds= win= warm=300 quick=0 build=1 report_only=0 profile=0
outdir=$TOP/Documentation/bench
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--boots) boots=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--win) win=$2; shift ;;
	--no-build) build=0 ;;
	--out) outdir=$2; shift ;;
	--report-only) report_only=1 ;;
	--profile) profile=1 ;;
	*) sed -n '3,22p' "$0"; exit 2 ;;
	esac
	shift
done

# The matrix. Names: RW BS - QD - JOBS (rr randread, rw randwrite, sr
# sequential read, pr polled randread; QD1 is psync, deeper io_uring).
points="rr4k-qd1-j1 rr4k-qd1-j2 rr4k-qd32-j1 rr4k-qd32-j2 rw4k-qd1-j1 rw4k-qd1-j2 rw4k-qd32-j1 rw4k-qd32-j2 sr128k-qd32-j1 pr4k-qd1-j1"
raw="rr4k-qd1-j1 rr4k-qd32-j1 rw4k-qd32-j1"
if [ $quick -eq 1 ]; then
	points="rr4k-qd1-j1 rr4k-qd32-j1 rw4k-qd32-j2 sr128k-qd32-j1 pr4k-qd1-j1"
	raw="rr4k-qd32-j1"
	[ -z "${VNG_BENCH_POINTS:-}" ] || { points=$VNG_BENCH_POINTS raw=; }
	boots=${boots:-1} rounds=${rounds:-2}
fi

profile_points=${VNG_PROFILE_POINTS:-"rr4k-qd1-j1 rr4k-qd32-j1 rw4k-qd32-j1"}
if [ $profile -eq 1 ]; then
	boots=1 rounds=${rounds:-2} win=${win:-3000}
fi
# Defaults where neither an option nor a mode above set them.
boots=${boots:-2} rounds=${rounds:-4} win=${win:-1000}

logs=()
for b in $(seq "$boots"); do logs+=("$BUILD/logs/bench-$b.log"); done
[ $profile -eq 1 ] && logs=("$BUILD/logs/bench-prof.log")
need_pkgs python3 python3-matplotlib
report() {
	mkdir -p "$outdir"
	if [ $profile -eq 1 ]; then
		/usr/bin/python3 "$TOP/selftests/bench/profile.py" --out "$outdir/profile.md" "${logs[@]}"
		return
	fi
	# Debian's python3 (it has python3-matplotlib), whatever is first in PATH.
	/usr/bin/python3 "$TOP/selftests/bench/report.py" --out "$outdir" "${logs[@]}"
}
if [ $report_only -eq 1 ]; then
	report
	exit 0
fi

need_pkgs gcc make qemu-system-x86 cpio kmod
flavour=demo
out=$KOUT/$flavour
if [ $build -eq 1 ]; then
	"$TOP/scripts/build.sh" "$flavour"
fi
[ -f "$out/arch/x86/boot/bzImage" ] || die "no kernel in $out; run scripts/build.sh demo"
fio=$("$TOP/scripts/build-fio.sh")

# benchmon (static) and the vng_cputime module, built for this kernel.
bb=$BUILD/bench-tools
mkdir -p "$bb/kmod" "$bb/root/usr/bin" "$bb/root/bench"
gcc -static -O2 -Wall -Werror -o "$bb/root/usr/bin/benchmon" "$TOP/selftests/bench/benchmon.c"
cp "$TOP"/selftests/bench/kmod/{Makefile,vng_cputime.c,vng_prof.c} "$bb/kmod/"
make -s -C "$out" M="$bb/kmod" modules >"$bb/kmod.log" 2>&1 ||
	{ cat "$bb/kmod.log" >&2; die "cannot build the vng_cputime module"; }
cp "$bb/kmod/vng_cputime.ko" "$bb/kmod/vng_prof.ko" "$bb/root/bench/"
cp "$fio" "$bb/root/usr/bin/fio"
(cd "$bb/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$bb/extra.cpio.gz"

# ioeventfd=off: QEMU handles a kick in the MMIO write of the vCPU that
# made it, taking the requests off the ring before the guest runs on;
# with an ioeventfd they wait for QEMU's main loop, a host thread, whose
# latency then decides how often a submitter sleeps and how many
# completions an interrupt finds. Off, the QD1 and polled points repeat
# to +-0.3..7 % instead of +-9..72 % (Documentation/benchmark.md, "Why
# ioeventfd=off"); completions still come from the main loop.
# VNG_BENCH_DEVOPTS replaces the option (",ioeventfd=on": QEMU's default).
devopt=${VNG_BENCH_DEVOPTS-,ioeventfd=off}

guest=$(mktemp /tmp/vng-bench.XXXXXX.sh)
trap 'rm -f "$guest"' EXIT
{
	echo "BENCH_ROUNDS=$rounds BENCH_WARM_MS=$warm BENCH_WIN_MS=$win"
	echo "BENCH_POINTS='$points' BENCH_RAW='$raw' BENCH_NULLBLK='$points'"
	echo "BENCH_DEVOPTS='$devopt'"
	[ $profile -eq 0 ] || echo "BENCH_PROFILE='$profile_points'"
	cat "$TOP/selftests/bench/guest.sh"
} >"$guest"

# The same two devices for both pairs: null-co (device cost only) and a raw
# file (64 MiB, host page cache), two queues each, fixed addresses.
qemu="-icount shift=0,sleep=off"
qemu="$qemu -blockdev driver=null-co,node-name=nul0,size=4294967296,read-zeroes=on"
qemu="$qemu -device virtio-blk-pci,drive=nul0,num-queues=2,serial=vng-null,addr=0x4$devopt"
qemu="$qemu -drive if=none,id=raw0,file=@DISK0@,format=raw"
qemu="$qemu -device virtio-blk-pci,drive=raw0,num-queues=2,serial=vng-raw,addr=0x5$devopt"
np=$(echo "$points" | wc -w) nr=$(echo "$raw" | wc -w)
npts=$((np * 2 * rounds + nr * 2 * rounds + np + 2))
[ $profile -eq 0 ] || npts=$(($(echo "$profile_points" | wc -w) * 2 * rounds))
log "benchmark: $boots boot(s) x $rounds rounds, $npts runs per boot ($(((warm + win + 400) * npts / 1000)) s of guest time)"
start=$(date +%s)
for b in $(seq "$boots"); do
	name=bench-$b
	[ $profile -eq 0 ] || name=bench-prof
	log "boot $b/$boots (log: ${logs[$((b - 1))]})"
	# Progress: the guest's PROGRESS and BENCH lines, shortened.
	VNG_VERBOSE=1 VNG_EXTRA_INITRD="$bb/extra.cpio.gz" VNG_SMP=2 \
		"$TOP/scripts/boot.sh" -f "$flavour" -n "$name" -t 5400 -q "$qemu" "$guest" |
		awk -v t0="$start" '
		/^PROGRESS|^PAIR|^CLOCKSOURCE|^CPUIDLE|^not ok/ { print "  " $0; fflush(); next }
		/^BENCH / {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			ipio = f["ios"] > 0 ? f["instr"] / f["ios"] : 0
			iops = f["win_ns"] > 0 ? f["ios"] * 1e9 / f["win_ns"] : 0
			printf "  [%4ds] %-8s %-7s r%-2s %-15s %8.0f IOPS %8.0f instr/IO%s\n",
				systime() - t0, f["set"], f["drv"], f["round"], f["point"],
				iops, ipio, f["fio_rc"] == 0 ? "" : "  fio failed"
			fflush()
		}' || die "boot $b failed; see ${logs[$((b - 1))]}"
done
log "benchmark took $(($(date +%s) - start)) s"
report
