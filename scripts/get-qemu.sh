#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a qemu-system-x86_64 of the given QEMU version,
# fetching it first if needed; the system's QEMU is never replaced.
#
#   scripts/get-qemu.sh [VERSION]      (default: 7.2, the system's)
#
#   7.2 | system  the system's qemu-system-x86_64 (Debian 12's 7.2; the
#                 package is installed if missing). Fails if it is not 7.2
#                 when 7.2 is asked for.
#   10.0          Debian's bookworm-backports build (pinned version below),
#                 unpacked with dpkg-deb beside the system QEMU into
#                 $CACHE/qemu-10.0 (with its data files, the backports
#                 SeaBIOS, and any library the system lacks), run through a
#                 wrapper that sets -L, the module directory and
#                 LD_LIBRARY_PATH. Downloaded once with apt-get download
#                 through a private apt configuration whose sources reuse
#                 the machine's own archive URI: nothing is installed and
#                 the machine's apt sources and preferences are untouched.
#
# Quiet (only the path on stdout) when the binary is already there.
# scripts/boot.sh calls it for VNG_QEMU=VERSION (see qemu_bin in lib.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=${1:-7.2}

# QEMU_VERSION BINARY: "10.0.2" from "QEMU emulator version 10.0.2 (...)"
qemu_version() {
	"$1" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p'
}

case $ver in
7.2 | system)
	need_pkgs qemu-system-x86
	bin=$(command -v qemu-system-x86_64) || die "no qemu-system-x86_64"
	v=$(qemu_version "$bin")
	[ "$ver" = system ] || [[ $v == 7.2.* ]] ||
		die "the system QEMU is $v, not 7.2 (VNG_QEMU=system takes it as it is)"
	echo "$bin"
	exit 0
	;;
10.0)
	suite=bookworm-backports
	pkgver=1:10.0.2+ds-2+deb13u1~bpo12+1
	# SeaBIOS: qemu-system-x86 10.0 wants >> 1.16.3-1~ (bookworm has
	# 1.16.2); the backports build, pinned as well.
	biosver=1.16.3-2~bpo12+1
	;;
*)
	die "unknown QEMU version $ver (7.2, 10.0)"
	;;
esac

dir=$CACHE/qemu-$ver
wrapper=$dir/bin/qemu-system-x86_64
stamp=$dir/.installed
want="$pkgver seabios=$biosver"
if [ -x "$wrapper" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	echo "$wrapper"
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/qemu-$ver.lock"
flock 9
# Another caller may have finished it while we waited for the lock.
if [ -x "$wrapper" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	echo "$wrapper"
	exit 0
fi

# The system QEMU's package brings nearly every shared library the newer
# one needs (the rest is fetched below) and ipxe-qemu's ROMs.
need_pkgs qemu-system-x86
log "QEMU $ver: fetching qemu-system-x86 $pkgver from $suite into $dir"
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/root" "$dir/debs"

# A private apt configuration: the machine's archive URI, bookworm (for
# libraries the system lacks) and the backports suite; its own lists and
# cache; no system preferences (so no pinning affects what is picked: the
# versions are explicit).
uri=$(debian_archive_uri)
apt=$(mktemp -d /tmp/vng-apt.XXXXXX)
trap 'rm -rf "$apt" "$dir.tmp"' EXIT
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
{
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
} >"$apt/sources.list"
opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
      -o APT::Sandbox::User=root)
apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 ||
	{ cat "$apt/update.log" >&2; die "apt-get update (private, $suite) failed"; }

# fetch PKG=VERSION..: download into $dir/debs unless already there
fetch() {
	(cd "$dir/debs" && apt-get -q "${opts[@]}" download "$@" >"$apt/download.log" 2>&1) ||
		{ cat "$apt/download.log" >&2; die "apt-get download $* failed"; }
}
fetch qemu-system-x86="$pkgver" qemu-system-common="$pkgver" \
	qemu-system-data="$pkgver" seabios="$biosver"

# Dependencies the machine does not satisfy (a library only backports has,
# or one the system QEMU does not need): fetched from bookworm or, if its
# version is too old, from backports, and unpacked beside QEMU.
# satisfied "PKG (OP VER)": the installed package meets it
satisfied() {
	local p op v iv
	read -r p op v <<<"$(echo "$1" | tr -d '()')"
	iv=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null |
		sed -n 's/^install ok installed //p')
	[ -n "$iv" ] || return 1
	[ -z "$op" ] || dpkg --compare-versions "$iv" "$op" "$v"
}
extra=()
for deb in "$dir"/debs/qemu-system-x86_*.deb "$dir"/debs/qemu-system-common_*.deb; do
	while IFS= read -r dep; do
		dep=${dep%%|*}   # the first alternative
		dep=$(echo "$dep" | sed 's/^ *//; s/ *$//; s/:any//')
		case $dep in qemu-system-* | seabios* | ipxe-qemu*) continue ;; esac
		satisfied "$dep" && continue
		p=${dep%% *}
		log "QEMU $ver: $dep is not installed here; fetching it"
		if apt-cache "${opts[@]}" show "$p/bookworm" >/dev/null 2>&1; then
			v=$(apt-cache "${opts[@]}" show "$p/bookworm" | sed -n 's/^Version: //p' | head -1)
			op=$(echo "$dep" | sed -n 's/.*(\([<>=]*\) *\(.*\))/\1 \2/p')
			if [ -z "$op" ] || dpkg --compare-versions "$v" $op; then
				extra+=("$p/bookworm")
				continue
			fi
		fi
		extra+=("$p/$suite")
	done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n')
done
[ ${#extra[@]} -eq 0 ] || fetch "${extra[@]}"

# Unpack this version's debs only (an older pinned version may be cached).
for deb in "$dir"/debs/*.deb; do
	case $(basename "$deb") in
	qemu-system-*_"${pkgver/:/%3a}"_*.deb | seabios_"$biosver"_*.deb) ;;
	qemu-system-* | seabios_*) continue ;;
	esac
	dpkg-deb -x "$deb" "$dir.tmp/root"
done

# The wrapper: data files (-L: QEMU's own, then the backports SeaBIOS, before
# the built-in search path, which is the system QEMU's /usr/share/qemu and
# /usr/share/seabios), the modules of this build (not 7.2's), and the
# unpacked libraries if any.
r=$dir/root
mkdir -p "$dir.tmp/bin"
cat >"$dir.tmp/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
# QEMU $pkgver ($suite), unpacked by scripts/get-qemu.sh
export LD_LIBRARY_PATH="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export QEMU_MODULE_DIR="$r/usr/lib/x86_64-linux-gnu/qemu"
exec "$r/usr/bin/qemu-system-x86_64" -L "$r/usr/share/qemu" -L "$r/usr/share/seabios" "\$@"
EOF
chmod +x "$dir.tmp/bin/qemu-system-x86_64"

rm -rf "${dir:?}/root" "${dir:?}/bin"
mv "$dir.tmp/root" "$dir/root"
mv "$dir.tmp/bin" "$dir/bin"
missing=$(LD_LIBRARY_PATH="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu" \
	ldd "$r/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
[ -z "$missing" ] || die "QEMU $ver lacks libraries: $missing"
v=$(qemu_version "$wrapper")
[[ $v == "$ver".* ]] || die "$wrapper says it is QEMU '$v', not $ver"
echo "$want" >"$stamp"
log "QEMU $ver: $("$wrapper" --version | head -1)"
echo "$wrapper"
