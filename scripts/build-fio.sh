#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a static fio for the guest from Debian's source package and cache it
# in /var/cache/virtio-ng (fio-VERSION-static). Prints the binary's path.
# The deb-src line reuses the machine's own archive URI (from its apt
# sources), so no mirror host is named here; the machine's apt
# configuration is not changed.
#   scripts/build-fio.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FIO_VER=${FIO_VER:-3.33-3}
bin=$CACHE/fio-$FIO_VER-static
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

need_pkgs gcc make dpkg-dev xz-utils
mkdir -p "$CACHE"
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
[ -n "$uri" ] || die "cannot find the Debian archive URI in the apt sources"
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

work=$(mktemp -d /tmp/vng-fio.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
	>"$work/sources.list"
opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache"
      -o APT::Sandbox::User=root)
log "downloading the fio source package ($FIO_VER)"
apt-get -q "${opts[@]}" update >/dev/null || die "apt-get update (deb-src) failed"
(cd "$work/src" && apt-get -q "${opts[@]}" source --download-only "fio=$FIO_VER" >/dev/null) ||
	die "cannot download the fio source package $FIO_VER"
(cd "$work/src" && dpkg-source -x --no-check ./*.dsc fio >/dev/null) ||
	die "cannot unpack the fio source package"

log "building a static fio (takes a few minutes)"
cd "$work/src/fio"
# Only the engines the benchmark uses (psync, io_uring, libaio is built in
# without the library); everything that would pull in a library is off.
./configure --build-static --disable-native --disable-numa --disable-rdma \
	--disable-rados --disable-rbd --disable-http --disable-gfapi --disable-libnfs \
	--disable-pmem --disable-xnvme --disable-libzbc --disable-tcmalloc \
	--disable-dfs --disable-lex >"$work/configure.log" 2>&1 ||
	{ tail -20 "$work/configure.log" >&2; die "fio configure failed"; }
make -s -j"$JOBS" fio >"$work/make.log" 2>&1 ||
	{ tail -30 "$work/make.log" >&2; die "fio build failed"; }
file fio 2>/dev/null | grep -q 'statically linked' ||
	ldd fio 2>&1 | grep -q 'not a dynamic' || die "fio is not static"
strip fio
cp fio "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "$bin"
