#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build another architecture's guest kernel: the configuration of
# scripts/cross-check.sh (tinyconfig + base + drivers + cross-ARCH), its
# kernel image and modules, installed into build/out/cross-ARCH/modroot,
# for VNG_ARCH=ARCH VNG_OUT=cross-ARCH selftests/run.sh.
#   scripts/build-arch.sh [arm64]
# Only arm64 boots so far (issue 25); ppc64 is compile-checked only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

a=${1:-arm64}
[ "$a" = arm64 ] || die "only arm64 guests boot so far"
export VNG_ARCH=$a
cross=$(arch_cross)
out=$KOUT/cross-$a
# The configuration (and the compile checks of our directories).
"$TOP/scripts/cross-check.sh" "$a" >&2 || die "the cross check of $a failed"
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# As build.sh: paths relative to build/, so that trees and clones share.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
mk=(make -s -C "$KSRC" O="$out" ARCH="$a" CROSS_COMPILE="$cross"
	CC="ccache ${cross}gcc" -j"$JOBS")
"${mk[@]}" Image modules
rm -rf "$out/modroot"
"${mk[@]}" modules_install INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 >/dev/null
log "built $out/arch/$a/boot/Image"
