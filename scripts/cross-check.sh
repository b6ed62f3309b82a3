#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cross builds of the series' two drivers (and their KUnit suites) for the
# other architectures of the mission: arm64 and big-endian ppc64. The first
# step of issue 25: it compiles, it does not boot.
#   scripts/cross-check.sh [ARCH...]        ARCH: arm64, ppc64 (default: both)
# Per architecture: tinyconfig + base + drivers + cross-ARCH.config in
# build/out/cross-ARCH (the drivers must be configurable there as modules),
# `make prepare`, then our two directories built with W=1 and checked with
# sparse (C=2): any warning or error in them fails. The tree is
# $VNG_KSRC (default build/linux). Prints "cross: N passed, N failed";
# exits non-zero on a failure. Not part of scripts/test.sh.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(arm64 ppc64)
need_pkgs make gcc flex bison bc libelf-dev libssl-dev ccache sparse
[ -e "$KSRC/.git" ] || die "no kernel tree; run scripts/setup-tree.sh"
sparse=$("$TOP/scripts/get-sparse.sh") || die "no sparse"
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# As build.sh: paths relative to build/, so that trees and clones share.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
dirs=(drivers/virtio/virtio_pci_ng/ drivers/block/virtio_blk_ng/)
passed=0 failed=0
ok() { echo "ok $((passed + failed + 1)) - $*"; passed=$((passed + 1)); }
notok() { echo "not ok $((passed + failed + 1)) - $*"; failed=$((failed + 1)); }

for a in "${arches[@]}"; do
	case $a in
	arm64) karch=arm64 cross=aarch64-linux-gnu- pkg=gcc-aarch64-linux-gnu ;;
	ppc64) karch=powerpc cross=powerpc64-linux-gnu- pkg=gcc-powerpc64-linux-gnu ;;
	*) die "unknown architecture $a (arm64, ppc64)" ;;
	esac
	need_pkgs "$pkg"
	out=$KOUT/cross-$a
	mkdir -p "$out"
	mk=(make -s -C "$KSRC" O="$out" ARCH=$karch CROSS_COMPILE=$cross
		CC="ccache ${cross}gcc" -j"$JOBS")
	t0=$SECONDS
	files=()
	for f in base drivers "cross-$a"; do files+=("$TOP/kconfig-fragments/$f.config"); done
	if ! { "${mk[@]}" tinyconfig >/dev/null &&
		(cd "$out" && KCONFIG_CONFIG=.config "$KSRC/scripts/kconfig/merge_config.sh" \
			-m -O "$out" .config "${files[@]}" >/dev/null 2>&1) &&
		"${mk[@]}" olddefconfig >/dev/null; }; then
		notok "$a: configure"
		continue
	fi
	miss=
	for o in CONFIG_VIRTIO_PCI_NG=m CONFIG_VIRTIO_BLK_NG=m \
		CONFIG_VIRTIO_PCI_NG_KUNIT_TEST=m CONFIG_VIRTIO_BLK_NG_KUNIT_TEST=m; do
		grep -qx "$o" "$out/.config" || miss="$miss $o"
	done
	[ "$a" = ppc64 ] && ! grep -qx CONFIG_CPU_BIG_ENDIAN=y "$out/.config" &&
		miss="$miss CONFIG_CPU_BIG_ENDIAN=y"
	if [ -n "$miss" ]; then
		notok "$a: the drivers configured as modules (missing:$miss)"
		continue
	fi
	ok "$a: the drivers configured as modules"
	if ! log_out=$("${mk[@]}" prepare 2>&1); then
		notok "$a: make prepare"
		echo "$log_out" | tail -n 20 | sed 's/^/# /'
		continue
	fi
	for flag in W=1 "C=2 CHECK=$sparse"; do
		(cd "$KSRC" && find "${dirs[@]}" -name '*.c' -exec touch {} +)
		# shellcheck disable=SC2086 # "C=2 CHECK=..": two make variables
		log_out=$("${mk[@]}" $flag "${dirs[@]}" 2>&1)
		rc=$?
		# Ours only: C=2 also checks what the directories pull in
		# (arm64's vDSO has a sparse warning of its own).
		warn=$(echo "$log_out" | grep -E 'warning:|error:' |
			grep -E 'drivers/(virtio/virtio_pci_ng|block/virtio_blk_ng)/')
		echo "$log_out" | grep -q 'not up to date' &&
			warn="the kernel refused the checker: $(echo "$log_out" | grep 'not up to date')"
		echo "$log_out" | grep -q 'error:' && [ $rc -eq 0 ] && rc=1
		if [ $rc -eq 0 ] && [ -z "$warn" ]; then
			ok "$a: make ${flag%% *} of our directories: no warnings"
		else
			notok "$a: make ${flag%% *} of our directories: no warnings"
			echo "${warn:-$log_out}" | head -n 30 | sed 's/^/# /'
		fi
	done
	echo "# $a: $((SECONDS - t0)) s"
done
echo "cross: $passed passed, $failed failed"
[ $failed -eq 0 ]
