#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build the kernel tree out of tree.
#   scripts/build.sh [FLAVOUR] [make targets...]
# FLAVOUR is one of:
#   test   tinyconfig + base + drivers + debug + distro + devices
#          (default; the test kernel; the distro stage boots it too)
#   demo   tinyconfig + base + drivers + perf    (fast, for the demo and benchmark)
#   plain  tinyconfig + base + drivers           (bisect/W=1/C=1 checks)
#   distro tinyconfig + base + drivers + distro  (a Debian guest boots on it: selftests/distro/)
# Output goes to build/out/FLAVOUR (or build/out/$VNG_OUT); modules are installed into
# build/out/FLAVOUR/modroot. Extra make variables (W=1, C=1) can be given
# through MAKEFLAGS_EXTRA.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
shift || true
case $flavour in
test)  frags=(base drivers debug distro devices) ;;
demo)  frags=(base drivers perf) ;;
plain) frags=(base drivers) ;;
distro) frags=(base drivers distro) ;;
*) die "unknown flavour $flavour" ;;
esac

need_pkgs gcc make flex bison bc libelf-dev libssl-dev ccache cpio kmod
[ -e "$KSRC/.git" ] || die "no kernel tree; run scripts/setup-tree.sh"

out=$KOUT/${VNG_OUT:-$flavour}
mkdir -p "$out"
# One build at a time per output directory.
exec 9>"$out/.vng-lock"
flock 9
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Share cache hits between the out-of-tree directories.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
# Kernel builds embed no timestamps that matter to us; let ccache hit.
export KBUILD_BUILD_TIMESTAMP="2026-11-25" KBUILD_BUILD_USER=vng KBUILD_BUILD_HOST=vng
# wait_timeout PID SECS: true once PID has exited, false after SECS.
wait_timeout() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	! kill -0 "$1" 2>/dev/null
}
mk=(make -s ${VNG_KEEP_GOING:+-k} -C "$KSRC" O="$out" ARCH=x86_64 CC="ccache gcc" -j"$JOBS")

# Reconfigure when the fragments changed or the Kconfig files did.
stamp=$out/.vng-config-stamp
want=$(for f in "${frags[@]}"; do cat "$TOP/kconfig-fragments/$f.config"; done | sha256sum)
want="$want $(cd "$KSRC" && git ls-files -s -- '*Kconfig*' | sha256sum)"
# A lax configuration (see below) is remembered as such: it serves the
# next lax build of the same Kconfig files, and a strict one redoes it.
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -f "$out/.config" ] || { [ "$have" != "$want" ] &&
	{ [ -z "${VNG_LAX_CONFIG:-}" ] || [ "$have" != "$want lax" ]; }; }; then
	log "configuring $flavour (${frags[*]})"
	"${mk[@]}" tinyconfig >/dev/null
	files=()
	for f in "${frags[@]}"; do files+=("$TOP/kconfig-fragments/$f.config"); done
	(cd "$out" && KCONFIG_CONFIG=.config "$KSRC/scripts/kconfig/merge_config.sh" \
		-m -O "$out" .config "${files[@]}" >/dev/null)
	"${mk[@]}" olddefconfig >/dev/null
	# Every option a fragment asks for must have survived olddefconfig.
	bad=0
	for f in "${files[@]}"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=n) opt=${line%=n}
				grep -q "^$opt=" "$out/.config" && { echo "  $line not honoured" >&2; bad=1; } ;;
			CONFIG_*) grep -qxF -- "$line" "$out/.config" ||
				{ echo "  $line not honoured: $(grep "^${line%%=*}=" "$out/.config" || echo unset)" >&2; bad=1; } ;;
			esac
		done < <(grep -v '^#' "$f")
	done
	# (The bisect build of an early patch may lack symbols that later
	# patches add: VNG_LAX_CONFIG=1 turns this into a warning.)
	# A configuration that misses options is remembered as lax: the next
	# strict build redoes it (and checks it).
	if [ $bad -ne 0 ]; then
		[ -n "${VNG_LAX_CONFIG:-}" ] || die "kconfig fragments not fully applied"
		log "warning: some fragment options are not set (VNG_LAX_CONFIG)"
		echo "$want lax" >"$stamp"
	else
		echo "$want" >"$stamp"
	fi
fi

if [ $# -gt 0 ]; then
	"${mk[@]}" ${MAKEFLAGS_EXTRA:-} "$@"
	exit
fi
log "building $flavour kernel (in $out)"
# A cold build takes 15-30 minutes on 2 cores: say every minute that it is
# still going and how far (objects built so far; a full build has ~1,600).
t0=$(date +%s)
touch "$out/.vng-build-start"
"${mk[@]}" ${MAKEFLAGS_EXTRA:-} bzImage modules &
pid=$!
while ! wait_timeout "$pid" 60; do
	log "still building $flavour kernel: $(( ($(date +%s) - t0) / 60 )) min, $(find "$out" -name '*.o' -newer "$out/.vng-build-start" 2>/dev/null | wc -l) objects built"
done
wait "$pid" || die "the $flavour kernel did not build"
rm -rf "$out/modroot"
"${mk[@]}" INSTALL_MOD_PATH="$out/modroot" modules_install >/dev/null
log "built $out/arch/x86/boot/bzImage"
