#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The project's test command: everything, from a fresh Debian machine.
#   1. install what is needed, fetch and verify the base, create the tree
#   2. static checks of patches/ (scripts/check.sh): checkpatch, git am,
#      bisect build, W=1, sparse, kernel-doc
#   3. build the debug test kernel from exactly patches/ (the check worktree)
#   4. KUnit suites in QEMU (kunit/run.sh)
#   5. QEMU cases (selftests/run.sh)
#   6. a Debian bookworm guest boots on each driver pair (selftests/distro/run.sh)
#   7. with --full: the arm64/ppc64 cross builds and an arm64 guest that
#      boots both driver pairs (scripts/cross-check.sh, build-arch.sh,
#      selftests/cases/arch-smoke.sh)
# Ends with "N passed, N failed" over every check and test; exits non-zero
# if any failed.
#   --quick   skip the per-patch bisect builds
#   --full    every QEMU case (selftests/run.sh '*'), not only the default
#             list: adds the stock-driver findings (vu-stock-*) and blk-kunit,
#             and the kselftests of the stock pair in every kst-* case,
#             and all 24 module load orders in the bind-policy-* cases,
#             and the slow halves of cases (vng.full=1: blk-flr-fail's FLR),
#             and the cross builds for arm64 and ppc64 (scripts/cross-check.sh)
#   --soak    issue 22's long run instead of the QEMU cases: blk-host-stall
#             with 20 held reads and 20 held writes on each pair of ours
#             (about 28 minutes); only the build and qemu stages unless
#             VNG_STAGES says otherwise
# For development: VNG_STAGES=checks,build (a comma list) runs only those
# stages (setup always runs), VNG_CASES='blk-*' only those QEMU cases,
# VNG_PATCHES=DIR checks and tests another series.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

quick=0 full=0 soak=0
for arg in "$@"; do
	case $arg in
	--quick) quick=1 ;;
	--full) full=1 ;;
	--soak) soak=1 ;;
	*) die "unknown argument $arg (--quick, --full, --soak)" ;;
	esac
done
[ $soak -eq 1 ] && : "${VNG_STAGES:=build,qemu}"
need_pkgs git make gcc flex bison bc libelf-dev libssl-dev ccache sparse cpio kmod \
	xz-utils perl python3 qemu-system-x86 qemu-utils busybox-static liburing-dev

total_p=0 total_f=0 total_s=0
stages=()
t_start=$(date +%s)
# Run one stage, add up the "X: N passed, N failed[, N skipped]" line it prints.
stage() {
	local name=$1 t0 rc line p f s
	shift
	t0=$(date +%s)
	echo "######## $name"
	"$@" 2>&1 | tee "$BUILD/logs/stage-$name.log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$BUILD/logs/stage-$name.log" | tail -1)
	p=$(echo "$line" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	p=${p:-0} f=${f:-0} s=${s:-0}
	# A stage that failed without counting it is one failure.
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	stages+=("$(printf '%-10s %5ds  %4d passed %3d failed %3d skipped (exit %d)' \
		"$name" $(($(date +%s) - t0)) "$p" "$f" "$s" "$rc")")
	return $rc
}

want() { [ -z "${VNG_STAGES:-}" ] || [[ ",$VNG_STAGES," == *",$1,"* ]]; }

mkdir -p "$BUILD/logs"
stage setup "$TOP/scripts/setup-tree.sh" || true
if ! want checks; then
	:
elif [ $quick -eq 1 ]; then
	stage checks "$TOP/scripts/check.sh" --no-bisect
else
	stage checks "$TOP/scripts/check.sh"
fi
# The test kernel is built from the check worktree: exactly patches/. From
# here on every stage uses that tree and its build/check/out/test.
export VNG_KSRC=$BUILD/check/linux
# The kselftests too: a guest must never run binaries left from an older
# tree because this one's do not build.
build_test() {
	"$TOP/scripts/build.sh" test >/dev/null ||
		{ echo "build: 0 passed, 1 failed (kernel)"; return 1; }
	"$TOP/scripts/build-kselftests.sh" >/dev/null ||
		{ echo "build: 1 passed, 1 failed (kselftests)"; return 1; }
	echo "build: 2 passed, 0 failed"
}
read -ra cases <<<"${VNG_CASES:-}"
[ $full -eq 1 ] && [ ${#cases[@]} -eq 0 ] && cases=('*' 'kst-*@10.0')
# --full also runs the kselftests on the stock pair in every kst-* case and
# on all of kst-rings' cells (the default list: see selftests/guest/kst.sh).
[ $full -eq 1 ] && export VNG_KARGS="KST_STOCK=1 KST_RINGS_ALL=1 vng.bindall=1 vng.full=1 ${VNG_KARGS:-}"
if [ $soak -eq 1 ]; then
	cases=(blk-host-stall)
	export VNG_KARGS="vng.stallreps=20 vng.stallpairs=virtio_pci:virtio_blk_ng,virtio_pci_ng:virtio_blk_ng ${VNG_KARGS:-}"
	export VNG_TIMEOUT_SCALE=10
fi
if ! want build || stage build build_test; then
	want kunit && stage kunit "$TOP/kunit/run.sh" test
	want qemu && stage qemu "$TOP/selftests/run.sh" -f test "${cases[@]}"
	want distro && stage distro "$TOP/selftests/distro/run.sh"
fi
# --full (or VNG_STAGES=arch): an arm64 guest (QEMU virt: GICv3 with ITS,
# PCIe) boots both driver pairs (issue 25's first boot; no kselftests there
# yet). Not in the default run: a cold arm64 build takes about 15 minutes.
arch_smoke() {
	"$TOP/scripts/build-arch.sh" arm64 >/dev/null ||
		{ echo "arch: 0 passed, 1 failed (arm64 kernel)"; return 1; }
	VNG_ARCH=arm64 VNG_OUT=cross-arm64 "$TOP/selftests/run.sh" arch-smoke
}
if [ $full -eq 1 ] || [[ ",${VNG_STAGES:-}," == *",arch,"* ]]; then
	stage arch arch_smoke
fi
# --full (or VNG_STAGES=cross): the drivers cross-built for arm64 and
# big-endian ppc64 with W=1 and sparse (about 3.5 minutes cold).
if [ $full -eq 1 ] || [[ ",${VNG_STAGES:-}," == *",cross,"* ]]; then
	stage cross "$TOP/scripts/cross-check.sh"
fi

echo "######## summary ($(($(date +%s) - t_start)) s)"
printf '%s\n' "${stages[@]}"
echo "total: $total_p passed, $total_f failed, $total_s skipped"
[ $total_f -eq 0 ]
